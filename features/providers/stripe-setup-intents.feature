@provider @stripe
Feature: Stripe sandbox — SetupIntents, a card saved for later without a payment
  POST /v1/setup_intents creates a SetupIntent (customer, payment_method, usage, confirm with return_url,
  payment_method_options[card][request_three_d_secure]); POST /v1/setup_intents/{id}/confirm confirms it with a test
  PaymentMethod: an approved card is set up and attached to the customer, a card the check declines leaves the intent
  requires_payment_method with last_setup_error (402 card_error), a 3-D Secure card waits for the challenge on the
  sandbox's hosted page. Each confirmation is a SetupAttempt (GET /v1/setup_attempts?setup_intent=). The saved card is
  then charged off session by a PaymentIntent. Events: setup_intent.created, .requires_action, .setup_failed,
  .succeeded, .canceled.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A card set up in one call is saved to the customer and charged off session later
    When the merchant creates and confirms a SetupIntent for a new customer with "pm_card_visa"
    Then the SetupIntent is "succeeded" and its card is saved to the customer
    And the SetupIntent's attempts are "succeeded"
    When the merchant charges the set-up card off session for 1500 "usd"
    Then the receiver gets for the SetupIntent "setup_intent.created, setup_intent.succeeded"

  Scenario: A declined card fails the setup, and another card then succeeds
    When the merchant creates and confirms a SetupIntent for a new customer with "pm_card_chargeDeclined"
    Then the answer is 402 with a card_error "card_declined" whose setup_intent is "requires_payment_method"
    When the merchant confirms that SetupIntent with "pm_card_mastercard"
    Then the SetupIntent is "succeeded" and its card is saved to the customer
    And the SetupIntent's attempts are "succeeded, failed"
    And the receiver gets for the SetupIntent "setup_intent.created, setup_intent.setup_failed, setup_intent.succeeded"

  Scenario: A 3-D Secure card waits for the challenge on the hosted page, which returns the customer to the merchant
    When the merchant creates and confirms a SetupIntent for a new customer with "pm_card_threeDSecure2Required" and return_url "https://merchant.example/saved"
    Then the SetupIntent requires action: next_action redirects to the sandbox's hosted page
    When the buyer pays on the hosted page
    Then the buyer returns to "https://merchant.example/saved" with the SetupIntent, its client_secret and redirect_status "succeeded"
    And the SetupIntent is "succeeded" and its card is saved to the customer
    And the receiver gets for the SetupIntent "setup_intent.created, setup_intent.requires_action, setup_intent.succeeded"

  Scenario: A canceled SetupIntent cannot be confirmed afterwards
    When the merchant creates a SetupIntent for a new customer
    And the merchant cancels that SetupIntent with reason "abandoned"
    Then the SetupIntent is "canceled"
    When the merchant confirms that SetupIntent with "pm_card_visa"
    Then the answer is 400 with code "setup_intent_unexpected_state" and the message "You cannot confirm this SetupIntent because it has been canceled."
    And the receiver gets for the SetupIntent "setup_intent.created, setup_intent.canceled"

  Scenario: What the sandbox does not simulate is refused by name
    When the merchant creates a SetupIntent with "payment_method_types[]" set to "ideal"
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "payment_method_types"
    When the merchant creates a SetupIntent with "mandate_data[customer_acceptance][type]" set to "telepathic"
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "mandate_data[customer_acceptance][type]"
    When the merchant creates a SetupIntent with "amount" set to "100"
    Then the answer is 400 with error type "invalid_request_error", code "parameter_unknown" and param "amount"
