@provider @stripe @recurring
Feature: Stripe sandbox — inline prices and one-off invoice items on subscriptions
  A backend often subscribes a customer to a price it describes inline, items[0][price_data] (currency, an existing
  product, unit_amount, recurring[interval]), rather than one made beforehand, and charges a setup fee once with
  add_invoice_items. As at Stripe, the inline price is a real Price, inactive so it cannot be bought again by id, that
  the renewals bill; an added invoice item is on the first invoice when the subscription is created, and on the next
  invoice when it is added by an update.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A subscription on an inline price pays its setup fee once, then renews on the inline price
    Given a customer on a new Stripe test clock
    When the customer subscribes through the API to an inline price of 1500 "usd" a month with a setup fee of 500
    Then the subscription's price is an inactive inline price of 1500, retrievable by its id
    And the latest invoice is "paid" for 2000 with lines "1500, 500"
    When the test clock is advanced to the subscription's period end, 1 time
    Then the latest invoice is "paid" for 1500 with lines "1500"

  Scenario: A fee added by an update waits for the next invoice
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the merchant adds a fee of 300 "usd" to the subscription's next invoice
    Then the customer's pending invoice items are "300"
    When the test clock is advanced to the subscription's period end, 1 time
    Then the latest invoice is "paid" for 1299 with lines "999, 300"
    And the customer's pending invoice items are ""

  Scenario: A subscription item names a price or describes one, not both
    Given a customer on a new Stripe test clock
    Then subscribing with both a price and an inline price is refused naming "items[0][price]"
