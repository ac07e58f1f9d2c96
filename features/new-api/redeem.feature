@new-api @redemption @redeem
Feature: New-API: a user redeems a code
  POST /api/user/topup {"key"} credits the code's quota to the user once (new-api.md §4.7): data is the quota
  credited, visible in GET /api/user/self. A used, disabled, expired or unknown code fails with one message that does
  not say why. One redeem per user at a time: another one meanwhile is told to try again. Every scenario makes its own
  users and codes.

  Scenario: Redeeming a code credits its quota once and marks it used
    Given a new New-API user
    And a code "gift" of 1000 quota
    When the user redeems the code "gift"
    Then the New-API data is "1000"
    And the user's quota has gone up by 1000
    When the admin calls "GET /api/redemption/{{id:gift}}"
    Then the New-API data has:
      | status       | 3          |
      | used_user_id | {{userId}} |

  Scenario: A code holding the default quota credits 100
    Given a new New-API user
    And a code "zero" of 0 quota
    When the user redeems the code "zero"
    Then the New-API data is "100"
    And the user's quota has gone up by 100

  Scenario: A used code cannot be redeemed again, in either language
    Given a new New-API user
    And a code "gift" of 1000 quota that the user has redeemed
    When the user redeems the code "gift"
    Then the New-API call fails with "Redemption failed, please try again later"
    When the user redeems the code "gift" with Accept-Language "zh-CN"
    Then the New-API call fails with "兑换失败，请稍后重试"
    And the user's quota is unchanged

  Scenario: A disabled code cannot be redeemed
    Given a new New-API user
    And a disabled code "off" of 1000 quota
    When the user redeems the code "off"
    Then the New-API call fails with "Redemption failed, please try again later"
    And the user's quota is unchanged

  Scenario: An expired code cannot be redeemed
    Given a new New-API user
    And an expired code "old" of 1000 quota
    When the user redeems the code "old"
    Then the New-API call fails with "Redemption failed, please try again later"
    And the user's quota is unchanged

  Scenario: An empty key is refused
    Given a new New-API user
    When the user redeems an empty key
    Then the New-API call fails with "未提供兑换码"
    And the user's quota is unchanged

  @concurrency
  Scenario: Two users redeeming one code at the same time: one gets it, the quota is credited once
    Given a new New-API user
    And another new New-API user
    And a code "prize" of 700 quota
    When the user and the other user redeem the code "prize" at the same time
    Then exactly one redeem succeeds with data 700 and the other fails with "Redemption failed, please try again later"
    And the quota of the user and the other user has gone up by 700 in all

  @concurrency
  Scenario: A second redeem by the same user while one is in progress is told to try again
    Given a new New-API user
    When the user redeems two new codes of 250 quota at the same time
    Then one of them was told "Top-up is processing, please try again later" while the other was in progress
    And the user's quota has gone up by exactly what was redeemed

  @rate-limit
  Scenario: Redeems beyond the critical rate limit are refused with HTTP 429 and an empty body
    Given a new New-API user
    When the user redeems an empty key until the critical rate limit refuses it
    Then a redeem within the limit and one more is refused with HTTP 429 and an empty body
    When the user calls "GET /api/user/self"
    Then the New-API data has:
      | id | {{userId}} |
