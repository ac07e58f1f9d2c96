@new-api @topup
Feature: New-API: top-up through Epay, the suite playing the gateway
  A user places an Epay order (POST /api/user/pay); the suite then sends the target's notify route
  (/api/user/epay/notify, GET with the query or POST with a form) what the gateway would, signed with the profile's
  newApiEpayKey (new-api.md §5.8: MD5 of the sorted non-empty parameters without sign and sign_type, then the key).
  A TRADE_SUCCESS for a pending order credits amount × 500,000 quota once and answers "success"; repeats, resends and
  copies at once answer "success" and credit nothing more; a bad signature answers "fail". The admin completes an
  order by hand through the same path. An order of 2 at the default Price (7.3) costs 14.60 and credits 1,000,000.

  Scenario: A signed TRADE_SUCCESS notify credits the order's quota and marks it paid
    Given a new New-API user
    And the user has placed an Epay order of 2
    Then the user's order is "pending" in its own list
    When Epay notifies TRADE_SUCCESS for the order
    Then the notify is answered "success"
    And the user's order is "success" in its own list
    And the user's quota has gone up by 1000000

  @concurrency
  Scenario: The same notify again, as a form POST and five copies at once is acknowledged each time and credited once
    Given a new New-API user
    And the user has placed an Epay order of 2
    When Epay notifies TRADE_SUCCESS for the order
    Then the notify is answered "success"
    When Epay notifies TRADE_SUCCESS for the order again
    Then the notify is answered "success"
    When Epay notifies TRADE_SUCCESS for the order as a form POST
    Then the notify is answered "success"
    When Epay notifies TRADE_SUCCESS for the order 5 times at once
    Then each notify is answered "success"
    And the user's quota has gone up by 1000000
    And the user's order is "success" in its own list

  @concurrency
  Scenario: Five copies of the notify at once for a pending order credit it once
    Given a new New-API user
    And the user has placed an Epay order of 2
    When Epay notifies TRADE_SUCCESS for the order 5 times at once
    Then each notify is answered "success"
    And the user's quota has gone up by 1000000
    And the user's order is "success" in its own list

  Scenario: A notify with a tampered sign is refused and credits nothing
    Given a new New-API user
    And the user has placed an Epay order of 2
    When Epay notifies TRADE_SUCCESS for the order with a tampered sign
    Then the notify is answered "fail"
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  @hardened
  Scenario: A validly signed notify for another amount than the order's is refused and credits nothing
    Given a new New-API user
    And the user has placed an Epay order of 2
    When Epay notifies TRADE_SUCCESS for the order with money "0.01", validly signed
    Then the notify is answered "fail"
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  @hardened
  Scenario: A validly signed notify for an order the target never placed is refused
    Given a new New-API user
    When Epay notifies TRADE_SUCCESS for an order the target never placed
    Then the notify is answered "fail"
    And the user's quota is unchanged

  Scenario: A notify of another trade status is acknowledged and credits nothing
    Given a new New-API user
    And the user has placed an Epay order of 2
    When Epay notifies WAIT_BUYER_PAY for the order
    Then the notify is answered "success"
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  Scenario: A notify of another trade status arriving after the payment leaves the order paid and credited once
    Given a new New-API user
    And the user has placed an Epay order of 2
    When Epay notifies TRADE_SUCCESS for the order
    And Epay notifies WAIT_BUYER_PAY for the order
    Then the notify is answered "success"
    And the user's quota has gone up by 1000000
    And the user's order is "success" in its own list

  Scenario: The quote is the amount at the default price, and an order below the minimum or for an unknown method is refused
    Given a new New-API user
    When the user calls "POST /api/user/amount" with body:
      """
      {"amount": 10}
      """
    Then the payment answer is "success" with data "73.00"
    When the user calls "POST /api/user/amount" with body:
      """
      {"amount": 0}
      """
    Then the payment answer is "error" with data "充值数量不能小于 1"
    When the user calls "POST /api/user/pay" with body:
      """
      {"amount": 0, "payment_method": "alipay"}
      """
    Then the payment answer is "error" with data "充值数量不能小于 1"
    When the user calls "POST /api/user/pay" with body:
      """
      {"amount": 2, "payment_method": "no-such-method"}
      """
    Then the payment answer is "error" with data "支付方式不存在"

  @concurrency
  Scenario: Two admins completing one order at once both succeed and the quota is credited once
    Given a new New-API user
    And the user has placed an Epay order of 2
    When the admin completes the user's order twice at the same time
    Then each completion answers success
    And the user's quota has gone up by 1000000
    And the user's order is "success" in its own list

  Scenario: Manual completion refuses an unknown order and a common user
    Given a new New-API user
    And the user has placed an Epay order of 2
    When the admin completes an order the target never placed
    Then the New-API call fails with "充值订单不存在"
    When the user completes the user's order
    Then the New-API call fails with "无权进行此操作，权限不足"
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  Scenario: The admin's list finds the order by keyword, and a user's own list shows only its orders
    Given a new New-API user
    And another new New-API user
    And the user has placed an Epay order of 2
    And the other user has placed an Epay order of 3
    Then the admin's list of orders with keyword "USR" includes the user's order
    And the user's own list shows its order and not the other user's
