@provider @stripe
Feature: Stripe sandbox — quotes
  POST /v1/quotes drafts a quote of line items for a customer, priced with the sandbox's own discount and tax code.
  POST /v1/quotes/{id}/finalize makes it open and numbers it (QT-, the customer's invoice prefix, the quote's sequence,
  the revision); POST /v1/quotes/{id}/accept makes what it quotes: a draft invoice for one-time lines, a subscription
  for recurring ones, with the quote's discount and tax rates, whose first invoice charges the quoted total. An open
  quote is canceled when its expires_at passes on the customer's clock.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A one-time quote is finalized and accepted into a draft invoice of its total
    Given a customer on a new Stripe test clock
    When the merchant drafts a quote for the customer of 3 of "price_HarnessCredits"
    Then the quote is "draft" with a subtotal of 300 and a total of 300
    When the merchant finalizes the quote
    Then the quote is "open" with a subtotal of 300 and a total of 300
    And the quote is numbered after the customer's invoice prefix
    When the merchant accepts the quote
    Then the quote is "accepted" with a subtotal of 300 and a total of 300
    And the quote's invoice is a "draft" invoice of 300
    And the receiver gets a verifiable "quote.accepted" event for the quote
    And accepting the quote again is refused with 400

  Scenario: A recurring quote with a coupon and a tax rate becomes a subscription charging the quoted total
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    And a Stripe coupon of 10 percent off forever
    And a Stripe exclusive tax rate of "8" percent
    When the merchant drafts a quote for the customer of 2 of "price_HarnessProMonthly" and 1 of "price_HarnessTeamMonthly" with the coupon and the tax rate
    Then the quote is "draft" with a subtotal of 4997 and a total of 4857
    When the merchant finalizes the quote
    And the merchant accepts the quote
    Then the quote's subscription is "active" and its first invoice is the quote's
    And the quote's invoice is a "paid" invoice of 4857
    And the receiver gets a verifiable "quote.finalized" event for the quote

  Scenario: An open quote is canceled when it expires on the customer's test clock
    Given a customer on a new Stripe test clock
    When the merchant drafts a quote for the customer of 1 of "price_HarnessCredits" expiring in 10 days
    And the merchant finalizes the quote
    And the test clock is advanced by 11 days, 1 time
    Then the quote is "canceled" with a subtotal of 100 and a total of 100
    And the receiver gets a verifiable "quote.will_expire" event for the quote
    And the receiver gets a verifiable "quote.canceled" event for the quote

  Scenario: A quote of two currencies is refused, and a canceled quote cannot be accepted
    Given a customer on a new Stripe test clock
    When the merchant tries a quote for the customer of "price_HarnessProMonthly" and "price_HarnessProMonthlyEur"
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "line_items[1][price]"
    When the merchant drafts a quote for the customer of 1 of "price_HarnessCredits"
    And the merchant cancels the quote
    Then the quote is "canceled" with a subtotal of 100 and a total of 100
    And accepting the quote again is refused with 400
