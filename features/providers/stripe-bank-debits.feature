@provider @stripe
Feature: Stripe sandbox — SEPA Direct Debit through PaymentIntents and SetupIntents
  POST /v1/payment_methods with type=sepa_debit makes a PaymentMethod from one of Stripe's test IBANs (the holder's name
  and email required). A euro PaymentIntent confirmed with it and mandate_data (or off session under the mandate a
  SetupIntent collected) is processing, its charge pending under a Mandate (GET /v1/mandates/{id}); three minutes
  later on the sandbox clock the debit settles as the IBAN says: succeeded with charge.succeeded and
  payment_intent.succeeded, or requires_payment_method (insufficient_funds) with charge.failed and
  payment_intent.payment_failed. A SetupIntent with mandate_data succeeds at once. A refund of a settled debit is
  pending, then succeeded.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  @moves-sandbox-clock
  Scenario: A debit is processing under its mandate, settles three minutes later, and refunds pending then succeeded
    When the merchant creates a SEPA Direct Debit PaymentMethod from the IBAN "DE89370400440532013000"
    And the merchant creates and confirms a PaymentIntent of 1500 "eur" by SEPA Direct Debit with a mandate accepted online
    Then the PaymentIntent is "processing", its charge "pending" under an "active" mandate accepted "online"
    When the sandbox clock advances by 3 minutes
    Then the PaymentIntent is "succeeded", its charge "succeeded" under an "active" mandate accepted "online"
    And the receiver gets for the PaymentIntent "payment_intent.created, charge.pending, payment_intent.processing, charge.succeeded, payment_intent.succeeded"
    When the merchant refunds 500 of that PaymentIntent
    Then the refund is "pending" with failure_reason "none" and the charge has 500 refunded
    When the sandbox clock advances by 30 seconds
    Then the refund is "succeeded" with failure_reason "none" and the charge has 500 refunded

  @moves-sandbox-clock
  Scenario: A debit from the failing test IBAN goes back to requires_payment_method when it settles
    When the merchant creates a SEPA Direct Debit PaymentMethod from the IBAN "DE62370400440532013001"
    And the merchant creates and confirms a PaymentIntent of 1500 "eur" by SEPA Direct Debit with a mandate accepted online
    Then the PaymentIntent is "processing" with amount_received 0 and last_payment_error "none"
    When the sandbox clock advances by 3 minutes
    Then the PaymentIntent is "requires_payment_method" with amount_received 0 and last_payment_error "insufficient_funds"
    And the receiver gets for the PaymentIntent "payment_intent.created, charge.pending, payment_intent.processing, charge.failed, payment_intent.payment_failed"

  @moves-sandbox-clock
  Scenario: An account set up with a mandate is debited off session later under that mandate
    When the merchant sets up a SEPA Direct Debit PaymentMethod from the IBAN "DE89370400440532013000" for a new customer with a mandate accepted offline
    Then the SetupIntent is "succeeded" and its card is saved to the customer
    When the merchant debits the set-up account off session for 2500 "eur"
    Then the off-session debit is "processing"
    When the sandbox clock advances by 3 minutes
    Then the off-session debit is "succeeded"

  Scenario: A malformed IBAN and a debit in dollars are refused in Stripe's shape
    When the merchant creates a SEPA Direct Debit PaymentMethod from the IBAN "DE00370400440532013000"
    Then the answer is 400 with error type "invalid_request_error", code "invalid_bank_account_iban" and param "sepa_debit[iban]"
    When the merchant creates a SEPA Direct Debit PaymentMethod from the IBAN "DE89370400440532013000"
    And the merchant creates and confirms a PaymentIntent of 1500 "usd" by SEPA Direct Debit with a mandate accepted online
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "payment_method_types"
