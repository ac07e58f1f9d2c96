@provider @stripe
Feature: Stripe sandbox — the balance and balance transactions
  Every movement of money is a balance transaction (GET /v1/balance_transactions, /v1/balance_transactions/{id}),
  recorded with the movement: a captured charge less Stripe's fee (2.9 % plus 30 minor units, the sandbox's one fee
  rule), pending until 00:00 UTC two days later on the sandbox clock; a refund's debit at once, its fee kept; a failed
  refund's money coming back; a chargeback's withdrawal and dispute fee. A charge's and a refund's balance_transaction
  expand to it, as does a PaymentIntent's latest_charge.balance_transaction, how a backend reads its fees.
  GET /v1/balance sums them per currency into available and pending. Payouts are not simulated.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A charge's balance transaction carries Stripe's fee, and a refund's takes its amount out at once
    When the merchant creates and confirms a PaymentIntent of 2000 "usd" with "pm_card_visa"
    Then the charge's balance transaction is a "charge" of 2000 with fee 88 and net 1912, "pending" until 00:00 UTC two days later
    When the merchant refunds 500 of that PaymentIntent
    Then the refund's balance transaction is a "refund" of -500 with fee 0 and net -500, "available"
    And the balance transactions whose source is the refund are "refund"

  Scenario: A failed refund gives its amount back as a refund_failure transaction
    When the merchant creates and confirms a PaymentIntent of 1000 "usd" with "pm_card_refundFail"
    And the merchant refunds 400 of that PaymentIntent
    And the sandbox clock advances by 30 seconds
    Then the refund is "failed" with failure_reason "expired_or_canceled_card" and the charge has 0 refunded
    And the balance transactions whose source is the refund are "refund_failure, refund"

  # Two days pass on the sandbox's clock.
  @moves-sandbox-clock
  Scenario: A charge's funds become available two days later
    When the merchant creates and confirms a PaymentIntent of 1500 "usd" with "pm_card_visa"
    And the sandbox clock advances by 48 hours
    Then the charge's balance transaction is a "charge" of 1500 with fee 74 and net 1426, "available"

  Scenario: Balance transaction requests are validated in Stripe's shape
    When the merchant retrieves the balance transaction "txn_missing"
    Then the answer is 404 with error type "invalid_request_error", code "resource_missing" and param "id"
    When the merchant lists the balance transactions paid out by "po_123"
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "payout"
