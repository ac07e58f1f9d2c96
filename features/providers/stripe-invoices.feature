@provider @stripe @recurring
Feature: Stripe sandbox — standalone (one-off) invoices
  POST /v1/invoices makes a draft invoice for a customer (billing_reason manual); POST /v1/invoiceitems with invoice
  adds lines to it and its totals follow. Finalizing makes it open with a number and a PaymentIntent whose hosted page
  is the hosted_invoice_url; it is then paid (POST /v1/invoices/{id}/pay or on that page), sent (send_invoice),
  voided or marked uncollectible, which can still be paid. With auto_advance a draft is finalized an hour after its
  creation and charged to the customer's default card, on the customer's test clock here. A draft's lines are also
  listed, added, changed and removed through the invoice line endpoints, only while it is a draft.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A draft invoice with items is finalized and paid with the customer's default card
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    When the merchant creates a draft invoice for the customer
    And the merchant adds a line of 5000 "usd" to the draft invoice
    And the merchant adds a line of 1200 "usd" to the draft invoice
    Then the invoice is "draft" with 6200 due
    When the merchant finalizes the invoice
    Then the invoice is "open" with 6200 due and numbered after the customer's invoice prefix
    When the merchant pays the invoice
    Then the invoice is "paid" with 0 due
    And the receiver gets the invoice's "invoice.created", "invoice.finalized", "invoice.paid" and "invoice.payment_succeeded" events

  Scenario: A send_invoice invoice is sent and paid on its hosted invoice page
    Given a customer on a new Stripe test clock
    When the merchant creates a draft invoice for the customer due in 30 days
    And the merchant adds a line of 12000 "usd" to the draft invoice
    And the merchant sends the invoice
    Then the invoice is "open" with 12000 due
    When the customer pays the invoice on its hosted invoice page
    Then the invoice is "paid" with 0 due
    And the receiver gets the invoice's "invoice.finalized", "invoice.sent" and "invoice.paid" events

  Scenario: An uncollectible invoice can still be paid, and a void one cannot
    Given a customer on a new Stripe test clock
    When the merchant creates a draft invoice for the customer
    And the merchant adds a line of 4000 "usd" to the draft invoice
    And the merchant finalizes the invoice
    And the merchant marks the invoice uncollectible
    Then the invoice is "uncollectible" with 4000 due
    When the merchant pays the invoice with "pm_card_visa"
    Then the invoice is "paid" with 0 due
    When the merchant creates a draft invoice for the customer
    And the merchant adds a line of 2500 "usd" to the draft invoice
    And the merchant finalizes the invoice
    And the merchant voids the invoice
    Then the invoice is "void" with 2500 due
    And paying the invoice with "pm_card_visa" is refused with 400 "You cannot pay a void invoice."
    And the receiver gets the invoice's "invoice.finalized" and "invoice.voided" events

  Scenario: An auto_advance draft is finalized an hour after its creation and charged
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    When the merchant creates a draft invoice for the customer with auto_advance
    And the merchant adds a line of 8000 "usd" to the draft invoice
    And the test clock is advanced by 1 days, 1 time
    Then the invoice is "paid" with 0 due
    And the receiver gets the invoice's "invoice.finalized" and "invoice.paid" events

  Scenario: A one-off invoice's failed automatic payment is retried 3, 5 and 7 days later, then left open
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_chargeCustomerFail" as its default card
    When the merchant creates a draft invoice for the customer with auto_advance
    And the merchant adds a line of 8000 "usd" to the draft invoice
    And the test clock is advanced by 20 days, 1 time
    Then the invoice is "open" with 8000 due
    And the invoice's payment was attempted 4 times with no next attempt scheduled

  Scenario: A draft's lines are added, changed and removed through the invoice line endpoints
    Given a customer on a new Stripe test clock
    When the merchant creates a draft invoice for the customer
    And the merchant adds lines of 3000 and 1500 "usd" to the draft invoice through add_lines
    Then the invoice is "draft" with 4500 due
    And the invoice's lines are "3000, 1500"
    When the merchant changes the invoice's line 1 to 2000 through update_lines
    And the merchant changes the invoice's line 2 to quantity 2 through its line endpoint
    Then the invoice's lines are "2000, 3000"
    When the merchant removes the invoice's line 1 through remove_lines
    Then the invoice is "draft" with 3000 due
    And the invoice's lines are "3000"
    When the merchant finalizes the invoice
    Then adding a line to the invoice is refused with 400 "invoice_not_editable"
    And the receiver gets the invoice's "invoice.updated" and "invoice.finalized" events
