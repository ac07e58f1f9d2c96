@new-api @topup @e2e
Feature: New-API: top-ups paid on the provider sandbox, end to end
  With a New-API target that pays through the provider sandbox (profile newApiSandbox, as the reference backend does out
  of the box), nothing is forged: the user places an order, the buyer pays on the sandbox's hosted page (Epay's
  submit.php with the target's signed form, or the Stripe or Creem checkout the target opened), and the sandbox signs and
  delivers its own callback to the target — Epay's notify_url, the Stripe and Creem webhook URLs the sandbox is
  configured with. The order is then paid and credited exactly once, and the sandbox resending the same callback
  credits nothing more.

  Scenario: Epay: pay on the gateway's page, the gateway's notify credits once, and its resend nothing more
    Given a new New-API user
    And the user has placed an Epay order of 2
    When the buyer pays the user's order on the sandbox's page
    Then the target acknowledged every callback the sandbox sent about the order
    And the user's order is "success" in its own list
    And the user's quota has gone up by 1000000
    When the sandbox resends its callbacks about the order
    Then the target acknowledged every callback the sandbox sent about the order
    And the user's quota has gone up by 1000000

  Scenario: Stripe: pay on the Checkout page, the signed webhook credits once, and its resend nothing more
    Given a new New-API user
    And the user has placed a Stripe order of 2
    When the buyer pays the user's order on the sandbox's page
    Then the target acknowledged every callback the sandbox sent about the order
    And the user's order is "success" in its own list
    And the user's quota has gone up by 1000000
    When the sandbox resends its callbacks about the order
    Then the target acknowledged every callback the sandbox sent about the order
    And the user's quota has gone up by 1000000

  Scenario: Creem: pay on the checkout page, the signed webhook credits the product's quota once, and its resend nothing more
    Given a new New-API user
    And the user has placed a Creem order
    When the buyer pays the user's order on the sandbox's page
    Then the target acknowledged every callback the sandbox sent about the order
    And the user's order is "success" in its own list
    And the user's quota has gone up by the product's quota
    When the sandbox resends its callbacks about the order
    Then the target acknowledged every callback the sandbox sent about the order
    And the user's quota has gone up by the product's quota
