@new-api @subscription
Feature: New-API: what the subscription routes refuse, and the billing preference's normalisation
  The admin's plan rules on create and full update, in upstream's order and words (new-api.md §6.4); ids that are
  not positive integers; PATCH without enabled; the billing preference kept to one of four values (§6.3); and the
  Epay order's refusals of a plan too cheap and an unknown method (§6.5). Nothing here creates a plan or a
  subscription except the two plans the Epay scenarios order.

  Scenario Outline: A plan breaking upstream's rules is refused on create and on full update: <case>
    When the admin calls "POST /api/subscription/admin/plans" with body:
      """
      {"plan": <plan>}
      """
    Then the New-API call fails with "<message>"
    When the admin calls "PUT /api/subscription/admin/plans/1" with body:
      """
      {"plan": <plan>}
      """
    Then the New-API call fails with "<message>"

    Examples:
      | case                           | plan                                                                  | message                |
      | a blank title                  | {"title": "  ", "price_amount": -1}                                   | 套餐标题不能为空        |
      | a negative price               | {"title": "t", "price_amount": -1, "max_purchase_per_user": -1}       | 价格不能为负数          |
      | a price over 9999              | {"title": "t", "price_amount": 10000}                                 | 价格不能超过9999        |
      | a negative purchase limit      | {"title": "t", "max_purchase_per_user": -1, "total_amount": -1}       | 购买上限不能为负数      |
      | a negative total               | {"title": "t", "total_amount": -1}                                    | 总额度不能为负数        |
      | an unknown upgrade group       | {"title": "t", "upgrade_group": "no-such-group-{{name}}"}             | 升级分组不存在          |
      | a custom reset without seconds | {"title": "t", "quota_reset_period": "custom"}                        | 自定义重置周期需大于0秒 |

  @hardened
  Scenario Outline: A plan longer than 100 years is refused, after upstream's rules: <case>
    When the admin calls "POST /api/subscription/admin/plans" with body:
      """
      {"plan": <plan>}
      """
    Then the New-API call fails with "<message>"

    Examples:
      | case                               | plan                                                                                   | message                    |
      | 101 years                          | {"title": "t", "duration_unit": "year", "duration_value": 101}                         | 套餐时长不能超过100年       |
      | 200000 months                      | {"title": "t", "duration_unit": "month", "duration_value": 200000}                     | 套餐时长不能超过100年       |
      | custom seconds beyond 100 years    | {"title": "t", "duration_unit": "custom", "custom_seconds": 9000000000}                | 套餐时长不能超过100年       |
      | a custom reset beyond 100 years    | {"title": "t", "quota_reset_period": "custom", "quota_reset_custom_seconds": 9000000000} | 自定义重置周期不能超过100年 |
      | 9000 years with an unknown group   | {"title": "t", "duration_unit": "year", "duration_value": 9000, "upgrade_group": "no-such-group-{{name}}"} | 升级分组不存在 |

  Scenario Outline: An id that is not a positive integer is refused: <request>
    When the admin calls "<request>"
    Then the New-API call fails with "<message>"

    Examples:
      | request                                                     | message      |
      | GET /api/subscription/admin/users/0/subscriptions           | 无效的用户ID |
      | GET /api/subscription/admin/users/abc/subscriptions         | 无效的用户ID |
      | POST /api/subscription/admin/users/-1/subscriptions         | 无效的用户ID |
      | POST /api/subscription/admin/user_subscriptions/0/invalidate | 无效的订阅ID |
      | DELETE /api/subscription/admin/user_subscriptions/abc       | 无效的订阅ID |

  Scenario Outline: A plan id that is not a positive integer, and PATCH without enabled, are refused: <case>
    When the admin calls "<request>" with body:
      """
      <body>
      """
    Then the New-API call fails with "<message>"

    Examples:
      | case                     | request                                | body                     | message  |
      | PUT of plan 0            | PUT /api/subscription/admin/plans/0    | {"plan": {"title": "t"}} | 无效的ID |
      | PUT of plan abc          | PUT /api/subscription/admin/plans/abc  | {"plan": {"title": "t"}} | 无效的ID |
      | PATCH of plan 0          | PATCH /api/subscription/admin/plans/0  | {"enabled": true}        | 无效的ID |
      | PATCH without enabled    | PATCH /api/subscription/admin/plans/1  | {}                       | 参数错误 |
      | bind to user 0           | POST /api/subscription/admin/bind      | {"user_id": 0, "plan_id": 1} | 参数错误 |

  Scenario Outline: The billing preference is one of four, anything else is stored as subscription_first: "<sent>"
    Given a new New-API user
    When the user calls "PUT /api/subscription/self/preference" with body:
      """
      {"billing_preference": "<sent>"}
      """
    Then the New-API data has:
      | billing_preference | <stored> |
    When the user calls "GET /api/subscription/self"
    Then the New-API data has:
      | billing_preference | <stored> |

    Examples:
      | sent            | stored             |
      | subscription    | subscription_first |
      |                 | subscription_first |
      | WALLET_FIRST    | subscription_first |
      | wallet_first    | wallet_first       |

  Scenario: An Epay order for a plan priced below 0.01 is refused
    Given a new New-API user
    And the admin has created a plan "free" of "0" for 30 days
    When the user orders the plan "free" through Epay
    Then the New-API call fails with "套餐金额过低"

  Scenario: An Epay order with a method the target does not offer is refused
    Given a new New-API user
    And the admin has created a plan "pro" of "9.90" for 1 month
    When the user orders the plan "pro" through Epay with payment method "no-such-method"
    Then the New-API call fails with "支付方式不存在"
