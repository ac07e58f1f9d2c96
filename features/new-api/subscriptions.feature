@new-api @subscription
Feature: New-API: subscription plans and orders paid through Epay
  The admin manages plans (POST, PUT and PATCH /api/subscription/admin/plans); users see the enabled ones
  (GET /api/subscription/plans). A user orders a plan through Epay (POST /api/subscription/epay/pay with plan_id and
  payment_method), and the suite plays the gateway at the subscription's own notify route
  (/api/subscription/epay/notify, signed as for top-ups with newApiEpayKey): a TRADE_SUCCESS delivers one subscription
  that lasts the plan's duration from the moment it was delivered (new-api.md §6.6), however often it arrives; a bad
  signature or a top-up's number answers "fail". max_purchase_per_user counts every subscription the user ever had.

  Scenario: Users see enabled plans only, and the admin sees every plan with its state
    Given a new New-API user
    And the admin has created a plan "open" of "9.90" for 1 month
    And the admin has created a plan "closed" of "19.90" for 1 month
    When the admin disables the plan "closed"
    Then the user's list of plans includes the plan "open"
    And the user's list of plans does not include the plan "closed"
    And the admin's list of plans shows the plan "closed" disabled
    And the admin's list of plans shows the plan "open" enabled

  Scenario: A signed TRADE_SUCCESS delivers one subscription that lasts the plan's duration
    Given a new New-API user
    And the admin has created a plan "pro" of "9.90" for 1 month
    And the user has ordered the plan "pro" through Epay
    Then the user has 0 active subscriptions
    When Epay notifies TRADE_SUCCESS for the subscription order
    Then the notify is answered "success"
    And the user has an active subscription to the plan "pro" lasting its duration
    And the user's quota is unchanged

  @concurrency
  Scenario: The same notify again and five copies at once deliver one subscription
    Given a new New-API user
    And the admin has created a plan "pro" of "9.90" for 30 days
    And the user has ordered the plan "pro" through Epay
    When Epay notifies TRADE_SUCCESS for the subscription order
    And Epay notifies TRADE_SUCCESS for the subscription order again
    Then the notify is answered "success"
    When Epay notifies TRADE_SUCCESS for the subscription order 5 times at once
    Then each notify is answered "success"
    And the user has 1 active subscription
    And the user has an active subscription to the plan "pro" lasting its duration

  Scenario: A notify with a tampered sign is refused and delivers nothing
    Given a new New-API user
    And the admin has created a plan "pro" of "9.90" for 1 month
    And the user has ordered the plan "pro" through Epay
    When Epay notifies TRADE_SUCCESS for the subscription order with a tampered sign
    Then the notify is answered "fail"
    And the user has 0 active subscriptions

  Scenario: The subscription notify route does not complete a top-up order
    Given a new New-API user
    And the user has placed an Epay order of 2
    When Epay notifies TRADE_SUCCESS for the order at the subscription's notify route
    Then the notify is answered "fail"
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  Scenario: A plan limited to one purchase per user refuses a second order
    Given a new New-API user
    And the admin has created a plan "once" of "4.90" for 7 days, at most 1 per user
    And the user has ordered the plan "once" through Epay
    When Epay notifies TRADE_SUCCESS for the subscription order
    Then the user has 1 active subscription
    When the user orders the plan "once" through Epay
    Then the New-API call fails with "已达到该套餐购买上限"

  Scenario: A disabled plan cannot be ordered
    Given a new New-API user
    And the admin has created a plan "gone" of "9.90" for 1 month
    When the admin disables the plan "gone"
    And the user orders the plan "gone" through Epay
    Then the New-API call fails with "套餐未启用"

  Scenario: The billing preference is the user's own and is read back with the subscriptions
    Given a new New-API user
    When the user calls "PUT /api/subscription/self/preference" with body:
      """
      {"billing_preference": "wallet_first"}
      """
    Then the New-API call succeeds
    When the user calls "GET /api/subscription/self"
    Then the New-API data has:
      | billing_preference | wallet_first |

  Scenario: A full update writes every field, so leaving enabled out disables the plan
    Given a new New-API user
    And the admin has created a plan "pro" of "9.90" for 1 month
    When the admin updates the plan "pro" to the title "pro-2" and the price "12.50", leaving enabled out
    Then the New-API call succeeds
    And the admin's list of plans shows the plan "pro" titled "pro-2" at "12.50"
    And the admin's list of plans shows the plan "pro" disabled
    And the user's list of plans does not include the plan "pro"

  Scenario: The admin grants subscriptions, then invalidates one and deletes the other
    Given a new New-API user
    And the admin has created a plan "gift" of "0" for 30 days
    When the admin binds the plan "gift" to the user
    Then the New-API call succeeds
    When the admin grants the user the plan "gift" from the user's page
    Then the New-API call succeeds
    And the admin sees 2 subscriptions of the user, each from source "admin"
    And the user has 2 active subscriptions
    When the admin invalidates the user's newest subscription
    Then the New-API call succeeds
    And the user has 1 active subscription
    When the admin deletes the user's newest subscription
    Then the New-API call succeeds
    And the admin sees 1 subscription of the user, each from source "admin"

  Scenario: The browser's return from Epay completes a paid order and redirects by outcome
    Given a new New-API user
    And the admin has created a plan "pro" of "9.90" for 1 month
    And the user has ordered the plan "pro" through Epay
    When the browser returns from Epay for the subscription order with TRADE_SUCCESS, tampered
    Then the browser is sent to a URL ending in "/console/topup?pay=fail"
    And the user has 0 active subscriptions
    When the browser returns from Epay for the subscription order with WAIT_BUYER_PAY, signed
    Then the browser is sent to a URL ending in "/console/topup?pay=pending"
    When the browser returns from Epay for the subscription order with TRADE_SUCCESS, signed
    Then the browser is sent to a URL ending in "/console/topup?pay=success"
    And the user has an active subscription to the plan "pro" lasting its duration
    When Epay notifies TRADE_SUCCESS for the subscription order
    Then the notify is answered "success"
    And the user has 1 active subscription
