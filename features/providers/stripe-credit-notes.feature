@provider @stripe
Feature: Stripe sandbox — credit notes
  POST /v1/credit_notes adjusts a finalized invoice. On an open invoice a credit note first lowers what is still owed
  (amount_due and amount_remaining, its pre_payment_amount); on a paid one its total (post_payment_amount) must be
  split exactly into refund_amount (a real refund of the invoice's charge), credit_amount (the customer's credit
  balance, which the next invoice takes) and out_of_band_amount. A credit note is voided with
  POST /v1/credit_notes/{id}/void, which gives back what it took off or credited; one that refunded cannot be voided.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A credit note on an open invoice lowers what is due, and the payment charges the rest
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    When the merchant creates a draft invoice for the customer
    And the merchant adds a line of 5000 "usd" to the draft invoice
    And the merchant finalizes the invoice
    And the merchant issues a credit note of 1500 on the invoice
    Then the credit note is "issued" with a total of 1500, 1500 of it before payment and 0 after
    And the invoice is "open" with 3500 due
    And the receiver gets a verifiable "credit_note.created" event
    When the merchant pays the invoice
    Then the invoice is "paid" with 0 due

  Scenario: A credit note on a paid invoice refunds its charge and cannot be voided
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    When the merchant creates a draft invoice for the customer
    And the merchant adds a line of 5000 "usd" to the draft invoice
    And the merchant finalizes the invoice
    And the merchant pays the invoice
    And the merchant issues a credit note of 2000 on the invoice as its "refund_amount"
    Then the credit note is "issued" with a total of 2000, 0 of it before payment and 2000 after
    And the customer's charge has 2000 refunded
    And the receiver gets a verifiable "charge.refunded" event
    And voiding the credit note is refused with 400

  Scenario: A credit to the customer's balance is taken back when the credit note is voided
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    When the merchant creates a draft invoice for the customer
    And the merchant adds a line of 3000 "usd" to the draft invoice
    And the merchant finalizes the invoice
    And the merchant pays the invoice
    And the merchant issues a credit note of 1200 on the invoice as its "credit_amount"
    Then the customer's credit balance is -1200
    When the merchant voids the credit note
    Then the credit note is "void" with a total of 1200, 0 of it before payment and 1200 after
    And the customer's credit balance is 0
    And the receiver gets a verifiable "credit_note.voided" event

  Scenario: Credit notes are refused on a draft, beyond the invoice, and when a paid invoice's credit is not split
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    When the merchant creates a draft invoice for the customer
    And the merchant adds a line of 2500 "usd" to the draft invoice
    Then issuing a credit note of 500 on the invoice is refused with 400 and param "invoice"
    When the merchant finalizes the invoice
    Then issuing a credit note of 2501 on the invoice is refused with 400 and param "amount"
    When the merchant pays the invoice
    Then issuing a credit note of 500 on the invoice is refused with 400 and param "out_of_band_amount"
