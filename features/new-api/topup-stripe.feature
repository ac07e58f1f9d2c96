@new-api @topup @stripe
Feature: New-API: top-up through Stripe, the suite playing Stripe
  A user places a Stripe order (POST /api/user/stripe/pay with payment_method "stripe"): the target opens a Checkout
  Session whose client_reference_id is the order's trade number and answers its pay_link. The suite then sends the target's
  webhook (POST /api/stripe/webhook) the events Stripe would, signed with the profile's newApiStripeWebhookSecret
  (new-api.md §5.11: Stripe-Signature "t=<ts>,v1=<HMAC-SHA256 of "<ts>.<body>">", 300 s tolerance). A completed and paid
  session credits money × 500,000 quota once (an order of 2 at group ratio 1: 1,000,000) and the webhook answers 200
  whatever it did; the same event again, at once or in another order credits nothing more; a signature that fails —
  altered body, another secret, none, older than the tolerance — is answered 400 and credits nothing.

  Scenario: A signed checkout.session.completed credits the order's quota once and marks it paid
    Given a new New-API user
    And the user has placed a Stripe order of 2
    Then the user's order is "pending" in its own list
    When Stripe sends "checkout.session.completed" for the order
    Then the webhook is answered HTTP 200
    And the user's order is "success" in its own list
    And the user's quota has gone up by 1000000

  @concurrency
  Scenario: The same event again and five copies at once are acknowledged and credited once
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When Stripe sends "checkout.session.completed" for the order
    And Stripe sends the same event again
    Then the webhook is answered HTTP 200
    When Stripe sends the same event 5 times at once
    Then each webhook is answered HTTP 200
    And the user's quota has gone up by 1000000
    And the user's order is "success" in its own list

  @concurrency
  Scenario: Five copies of the event at once for a pending order credit it once
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When Stripe sends "checkout.session.completed" for the order 5 times at once
    Then each webhook is answered HTTP 200
    And the user's quota has gone up by 1000000
    And the user's order is "success" in its own list

  Scenario: A session completed but not yet paid waits for async_payment_succeeded, which credits once
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When Stripe sends "checkout.session.completed" for the order with payment_status "unpaid"
    Then the webhook is answered HTTP 200
    And the user's quota is unchanged
    And the user's order is "pending" in its own list
    When Stripe sends "checkout.session.async_payment_succeeded" for the order
    Then the webhook is answered HTTP 200
    And the user's quota has gone up by 1000000
    And the user's order is "success" in its own list

  Scenario: Events out of order: async_payment_succeeded before completed, then an expiry, credit once and the order stays paid
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When Stripe sends "checkout.session.async_payment_succeeded" for the order
    And Stripe sends "checkout.session.completed" for the order
    And Stripe sends "checkout.session.expired" for the order
    Then the webhook is answered HTTP 200
    And the user's quota has gone up by 1000000
    And the user's order is "success" in its own list

  Scenario: An expired session expires its pending order, and a completion arriving late credits nothing
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When Stripe sends "checkout.session.expired" for the order
    Then the webhook is answered HTTP 200
    And the user's order is "expired" in its own list
    When Stripe sends "checkout.session.completed" for the order
    Then the webhook is answered HTTP 200
    And the user's quota is unchanged
    And the user's order is "expired" in its own list

  Scenario: A failed asynchronous payment marks the order failed and credits nothing
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When Stripe sends "checkout.session.async_payment_failed" for the order
    Then the webhook is answered HTTP 200
    And the user's quota is unchanged
    And the user's order is "failed" in its own list

  Scenario: A body altered after signing is refused with 400 and credits nothing
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When Stripe sends "checkout.session.completed" for the order, signed as unpaid and then altered to paid
    Then the webhook is answered HTTP 400
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  Scenario: An event signed with another secret or not signed at all is refused with 400 and credits nothing
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When Stripe sends "checkout.session.completed" for the order, signed with another secret
    Then the webhook is answered HTTP 400
    When Stripe sends "checkout.session.completed" for the order without a signature
    Then the webhook is answered HTTP 400
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  Scenario: An event signed ten minutes ago is stale and refused with 400, and credits nothing
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When Stripe sends "checkout.session.completed" for the order, signed 10 minutes ago
    Then the webhook is answered HTTP 400
    And the user's quota is unchanged
    And the user's order is "pending" in its own list

  Scenario: An order needs payment_method "stripe" and an amount from 1 to 10000
    Given a new New-API user
    When the user calls "POST /api/user/stripe/pay" with body:
      """
      {"amount": 2}
      """
    Then the payment answer is "error" with data "不支持的支付渠道"
    When the user calls "POST /api/user/stripe/pay" with body:
      """
      {"amount": 10001, "payment_method": "stripe"}
      """
    Then the payment answer is "充值数量不能大于 10000" with data "10"
    When the user calls "POST /api/user/stripe/amount" with body:
      """
      {"amount": 0}
      """
    Then the payment answer is "error" with data "充值数量不能小于 1"
