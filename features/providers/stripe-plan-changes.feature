@provider @stripe @recurring
Feature: Stripe sandbox — plan changes, prorations, invoice items and paying an invoice
  POST /v1/subscriptions/{id} with items[0][id] and a new items[0][price] or items[0][quantity] changes the plan
  mid-period. With proration_behavior create_prorations (the default) Stripe makes two pending invoice items, a credit
  for the unused time on the old price and a charge for the remaining time on the new one, each the price × quantity ×
  the part of the period left, to the second, rounded to the minor unit; the next renewal invoices them beside the new
  price. always_invoice invoices them at once; a negative total goes to the customer's credit balance, which the next
  invoices use. Pending invoice items of the customer (POST /v1/invoiceitems) are swept into its next subscription
  invoice. POST /v1/invoices/create_preview shows the invoice a change would make, storing nothing.
  POST /v1/invoices/{id}/pay pays an open invoice, and a past_due subscription is active again. Periods are calendar
  months, and the part left is of the current period's own length: halfway through February is 14 of its 28 days.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: An upgrade halfway through the period is prorated and the renewal invoices it beside the new price
    Given a customer on a new Stripe test clock frozen at "2026-02-01T00:00:00Z"
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the test clock is advanced by 14 days, 1 time
    And the merchant changes the subscription to "price_HarnessTeamMonthly"
    Then the customer's pending invoice items are prorations of "-500, 1500"
    And the receiver gets a verifiable "customer.subscription.updated" event whose previous price is "price_HarnessProMonthly"
    And the receiver gets a verifiable "invoiceitem.created" event
    When the test clock is advanced to the subscription's period end, 1 time
    Then the latest invoice is "paid" for 3999 with lines "2999, -500, 1500"

  Scenario: A preview of a change shows the prorated renewal and changes nothing
    Given a customer on a new Stripe test clock frozen at "2026-02-01T00:00:00Z"
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the test clock is advanced by 14 days, 1 time
    Then a preview of a change to "price_HarnessTeamMonthly" shows an upcoming invoice of 3999 with lines "2999, -500, 1500"
    And the customer's pending invoice items are prorations of ""
    And the subscription is "active"

  Scenario: A downgrade invoiced at once leaves a credit balance that the next renewal uses
    Given a customer on a new Stripe test clock frozen at "2026-02-01T00:00:00Z"
    And the customer subscribes to "price_HarnessTeamMonthly" through the API
    When the test clock is advanced by 14 days, 1 time
    And the merchant changes the subscription to "price_HarnessProMonthly" with proration_behavior "always_invoice"
    Then the latest invoice is "paid" for -1000 with lines "-1500, 500"
    And the customer's balance is -1000
    When the test clock is advanced to the subscription's period end, 1 time
    Then the latest invoice is "paid" for 999 with lines "999"
    And the customer's balance is -1

  Scenario: A pending invoice item is swept into the customer's next renewal
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the merchant adds an invoice item of 500 "usd" for the customer
    Then the receiver gets a verifiable "invoiceitem.created" event
    When the test clock is advanced by 1 month, 1 time
    Then the latest invoice is "paid" for 1499 with lines "999, 500"

  Scenario: A past_due renewal is paid with another card and the subscription is active again
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    And the customer subscribes to "price_HarnessProMonthly" through the API
    And the customer saves "pm_card_chargeCustomerFail" as its default card
    When the test clock is advanced by 1 month, 1 time
    Then the subscription is "past_due"
    When the merchant pays the latest invoice with "pm_card_visa"
    Then the subscription is "active"
    And the latest invoice is "paid" for 999 with lines "999"
