@provider @stripe
Feature: Stripe sandbox — tax rates
  POST /v1/tax_rates makes a manual tax rate (display_name, percentage up to four decimals, inclusive); it is
  retrieved, updated (never its percentage or inclusive) and listed, and archived with active=false. A payment-mode
  Checkout Session takes line_items[n][tax_rates]: an exclusive rate adds its tax on top of the line (amount_total,
  and so the PaymentIntent), an inclusive one is inside the price (amount_total unchanged); both show in
  total_details.amount_tax. Tax is computed on the amount after discounts, per line per rate, rounded to the nearest
  minor unit, half away from zero. A standalone invoice's default_tax_rates tax its lines (total_taxes, total,
  amount_due). A subscription's default_tax_rates (and its items' tax_rates) tax every invoice it makes, prorations
  included, and a subscription-mode checkout's line rates become its item's. An archived rate cannot be applied anew.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: An exclusive tax rate on a checkout line is added on top and charged
    Given a Stripe exclusive tax rate of "8.25" percent
    When the merchant creates a payment checkout session for 3 of "price_HarnessCredits" with the tax rate
    Then the session's subtotal is 300, its tax 25 and its total 325
    When the buyer clicks Pay on the hosted page
    Then the session's payment intent is for 325
    And the receiver gets a verifiable "tax_rate.created" event

  Scenario: An inclusive tax rate is inside the price and the total does not change
    Given a Stripe inclusive tax rate of "20" percent
    When the merchant creates a payment checkout session for 10 of "price_HarnessCredits" with the tax rate
    Then the session's subtotal is 1000, its tax 167 and its total 1000

  Scenario: The discount comes off before the tax
    Given a Stripe coupon of 25 percent off
    And a Stripe exclusive tax rate of "10" percent
    When the merchant creates a payment checkout session for 8 of "price_HarnessCredits" with the coupon and the tax rate
    Then the session's subtotal is 800, its tax 60 and its total 660

  Scenario: An archived tax rate cannot be applied to a new checkout
    Given a Stripe exclusive tax rate of "5" percent
    And the merchant archives the tax rate
    When the merchant tries a payment checkout session for 1 of "price_HarnessCredits" with the tax rate
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "line_items[0][tax_rates][0]"

  Scenario: A standalone invoice's default tax rate taxes its line and what is due
    Given a customer on a new Stripe test clock
    And a Stripe exclusive tax rate of "19" percent
    When the merchant invoices the customer 2500 "usd" with the tax rate as the invoice's default
    Then the invoice's subtotal is 2500, its tax 475, its total 2975 and it is due 2975

  Scenario: A subscription's default tax rate taxes its first invoice and its renewals
    Given a customer on a new Stripe test clock
    And a Stripe exclusive tax rate of "10" percent
    When the customer subscribes to "price_HarnessProMonthly" through the API with the tax rate as its default
    Then the latest invoice is "paid" for 1099 with lines "999"
    And the latest invoice's line taxes are "100" and it was paid 1099
    When the test clock is advanced by 1 month, 1 time
    Then the latest invoice is "paid" for 1099 with lines "999"
    And the latest invoice's line taxes are "100" and it was paid 1099

  Scenario: An upgrade invoiced at once taxes the proration credit below zero and the debit above it
    Given a customer on a new Stripe test clock
    And a Stripe exclusive tax rate of "10" percent
    When the customer subscribes to "price_HarnessProMonthly" through the API with the tax rate as its default
    And the test clock is advanced by 15 days, 1 time
    And the merchant changes the subscription to "price_HarnessTeamMonthly" with proration_behavior "always_invoice"
    Then the latest invoice is "paid" for 1135 with lines "-516, 1548"
    And the latest invoice's line taxes are "-52, 155" and it was paid 1135

  Scenario: Cleared default tax rates leave the next renewal untaxed
    Given a customer on a new Stripe test clock
    And a Stripe exclusive tax rate of "10" percent
    When the customer subscribes to "price_HarnessProMonthly" through the API with the tax rate as its default
    And the merchant clears the subscription's default tax rates
    And the test clock is advanced by 1 month, 1 time
    Then the latest invoice is "paid" for 999 with lines "999"

  Scenario: An archived tax rate cannot become a new subscription's default
    Given a customer on a new Stripe test clock
    And a Stripe exclusive tax rate of "10" percent
    And the merchant archives the tax rate
    When the customer tries to subscribe to "price_HarnessProMonthly" through the API with the tax rate as its default
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "default_tax_rates[0]"

  Scenario: A subscription checkout's line tax rate becomes the item's and the first invoice charges the tax
    Given a Stripe exclusive tax rate of "10" percent
    When the merchant creates a subscription checkout session for "price_HarnessProMonthly" with the tax rate on its line
    Then the session's subtotal is 999, its tax 100 and its total 1099
    When the buyer clicks Pay on the hosted page
    Then the session's subscription item has the tax rate and its first invoice was paid 1099
