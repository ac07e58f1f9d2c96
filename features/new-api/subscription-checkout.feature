@new-api @subscription @e2e
Feature: New-API: subscriptions bought on the sandbox's Stripe and Creem checkouts
  With a New-API target that pays through the provider sandbox (newApiSandbox), a user buys a plan priced on Stripe
  (POST /api/subscription/stripe/pay: a Checkout Session in mode "subscription") or on Creem
  (POST /api/subscription/creem/pay: a checkout of the plan's recurring product), pays on the sandbox's page, and the
  sandbox's own signed webhook delivers one subscription; the sandbox resending it delivers nothing more.

  Scenario Outline: A plan bought on the <provider> checkout is delivered once
    Given a new New-API user
    And the admin has created a plan "monthly" of "9.99" for 1 month on the sandbox's <provider> recurring price
    When the user subscribes to the plan "monthly" through <provider> and pays on the sandbox's page
    Then the target acknowledged every callback the sandbox sent about the order
    And the user has an active subscription to the plan "monthly" lasting its duration
    When the sandbox resends its callbacks about the order
    Then the user has 1 active subscription
    And the user's quota is unchanged

    @stripe
    Examples: Stripe
      | provider |
      | Stripe   |

    @creem
    Examples: Creem
      | provider |
      | Creem    |
