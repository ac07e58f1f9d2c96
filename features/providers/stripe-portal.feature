@provider @stripe @recurring
Feature: Stripe sandbox — the customer portal
  POST /v1/billing_portal/configurations says what the hosted customer portal lets a customer do; one default
  configuration exists (made on first need, as Stripe makes it from the Dashboard settings). POST
  /v1/billing_portal/sessions gives a short-lived url to the portal of one customer. The portal's forms post back to
  the sandbox and act through the Subscriptions, PaymentMethods and Customers code, so the merchant gets the same
  events as from the API: a cancel records its reason in cancellation_details.feedback, a plan switch is prorated as
  the configuration says, a new card becomes the customer's default. Each form carries a single-use token.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A cancel at period end from the default portal records the reason, and the form cannot be replayed
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the merchant opens a Stripe portal session for the customer
    And the customer cancels the subscription in the portal giving the reason "too_expensive"
    Then the subscription cancels at period end with the feedback "too_expensive"
    And the receiver gets a verifiable "customer.subscription.updated" event
    And posting the same portal form again is refused with a 409

  Scenario: An immediate cancel under create_prorations credits the unused half of the month
    Given a customer on a new Stripe test clock frozen at "2026-02-01T00:00:00Z"
    And the customer subscribes to "price_HarnessProMonthly" through the API
    And a Stripe portal configuration that cancels "immediately" with create_prorations and switches between Pro and Team monthly with "always_invoice"
    When the test clock is advanced by 14 days, 1 time
    And the merchant opens a Stripe portal session for the customer
    And the customer cancels the subscription in the portal giving the reason "unused"
    Then the subscription is "canceled"
    And the subscription's cancellation feedback is "unused"
    And the customer's pending invoice items are prorations of "-500"
    And the receiver gets a verifiable "customer.subscription.deleted" event

  Scenario: A plan switch in the portal is invoiced at once under always_invoice
    Given a customer on a new Stripe test clock frozen at "2026-02-01T00:00:00Z"
    And the customer subscribes to "price_HarnessProMonthly" through the API
    And a Stripe portal configuration that cancels "at_period_end" with create_prorations and switches between Pro and Team monthly with "always_invoice"
    When the test clock is advanced by 14 days, 1 time
    And the merchant opens a Stripe portal session for the customer
    And the customer switches the subscription to "price_HarnessTeamMonthly" in the portal
    Then the latest invoice is "paid" for 1000 with lines "-500, 1500"
    And the receiver gets a verifiable "customer.subscription.updated" event

  Scenario: A card added in the portal becomes the customer's default
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the merchant opens a Stripe portal session for the customer
    And the customer adds the test card "5555 5555 5555 4444" in the portal
    Then the customer's default payment method is a card ending in "4444"
    And the receiver gets a verifiable "payment_method.attached" event

  Scenario: A portal flow cannot name another customer's subscription
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    Then a portal session whose cancel flow names another customer's subscription is refused with param "flow_data[subscription_cancel][subscription]"
