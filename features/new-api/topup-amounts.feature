@new-api @topup
Feature: New-API: the amount of a top-up order
  Go binds a missing amount as 0, so upstream refuses it as below the minimum (new-api.md §5.6, §5.7, §5.10), and a
  Stripe order checks its payment_method first. Hardened builds also refuse an Epay amount whose quota
  (amount × 500,000) no balance can hold, before anything is ordered (§5.3), with the target's own cap in the message.
  The routes are answered in the legacy envelope {"message": "error", "data": "<why>"}.

  Scenario Outline: A missing amount is Go's zero and below the minimum: <request>
    Given a new New-API user
    When the user calls "<request>" with body:
      """
      <body>
      """
    Then the payment answer is "error" with data "充值数量不能小于 1"

    Examples:
      | request                     | body                         |
      | POST /api/user/amount       | {}                           |
      | POST /api/user/pay          | {"payment_method": "alipay"} |
      | POST /api/user/stripe/amount | {}                          |

  Scenario: A Stripe order with an empty body is refused for its channel before its amount
    Given a new New-API user
    When the user calls "POST /api/user/stripe/pay" with body:
      """
      {}
      """
    Then the payment answer is "error" with data "不支持的支付渠道"

  @hardened
  Scenario Outline: An Epay amount whose quota no balance can hold is refused: <request>
    Given a new New-API user
    When the user calls "<request>" with body:
      """
      {"amount": 9223372036854775807, "payment_method": "alipay"}
      """
    Then the payment answer is "error" with data starting "单笔充值数量不能大于 "

    Examples:
      | request               |
      | POST /api/user/amount |
      | POST /api/user/pay    |
