@new-api @subscription @e2e @stripe @moves-sandbox-clock
Feature: New-API: a Stripe subscription renewed and cancelled on the sandbox
  A plan priced on Stripe is bought with a Checkout Session in mode "subscription" (POST /api/subscription/stripe/pay);
  the buyer pays on the sandbox's page and the sandbox's checkout.session.completed delivers the subscription. Each
  renewal Stripe bills later (invoice.paid, billing_reason subscription_cycle) extends it by the plan's duration, once
  however often it is delivered; a cancellation at period end (customer.subscription.deleted when the period ends) ends
  it then, and nothing renews it afterwards. Upstream ignores both events; the reference acts on them (docs/new-api.md).
  Each renewal moves the sandbox's clock to the subscription's period end: run this against a sandbox whose clock you can
  spare (in-process it gets a sandbox of its own).

  Scenario: Three renewals extend the subscription three times, and a cancellation at period end ends it there
    Given a new New-API user
    And the admin has created a plan "monthly" of "9.99" for 30 days on the sandbox's Stripe recurring price
    When the user subscribes to the plan "monthly" through Stripe and pays on the sandbox's page
    Then the user has an active subscription to the plan "monthly" lasting its duration
    When the sandbox renews the Stripe subscription 3 times
    Then the user's subscription ends 90 days after its first end
    And the user has 1 active subscription
    When the merchant sets cancel_at_period_end on the Stripe subscription
    Then the user's subscription is still active and ends as before
    When the sandbox reaches the end of the Stripe subscription's period
    Then the user's subscription has ended, not renewed, and the Stripe subscription is "canceled"
