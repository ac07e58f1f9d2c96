@provider @stripe @recurring
Feature: Stripe sandbox — inline prices and one-off invoice items
  A backend often subscribes a customer to a price it describes inline, items[0][price_data] (currency, an existing
  product, unit_amount, recurring[interval]), rather than one made beforehand, and charges a setup fee once with
  add_invoice_items. As at Stripe, the inline price is a real Price, inactive so it cannot be bought again by id, that
  the renewals bill; an added invoice item is on the first invoice when the subscription is created (with its
  invoiceitem.created and the period asked for), and on the next invoice when it is added by an update. Checkout
  Sessions and payment links take line_items[n][price_data] too, read by the same reader: the line's price is such an
  inactive Price, and a payment link's is sold by every session its url opens.

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

  Scenario: A Checkout line's price_data becomes an inactive price that is the line's price
    When the merchant creates a payment-mode checkout session for 2 of an inline price of 1250 "usd" named "Ad hoc"
    Then the session's line price is an inactive inline price of 1250 named "Ad hoc", retrievable by its id
    When the buyer clicks Pay on the hosted page
    Then the session status is "complete"

  Scenario: A payment link sells its inline price through its page
    Given a Stripe payment link for 2 of an inline price of 1500 "usd" named "Gift card"
    When the buyer opens the payment link
    Then the session names the payment link and is for 3000
    And the session's line price is an inactive inline price of 1500 named "Gift card", retrievable by its id
    When the buyer clicks Pay on the hosted page
    Then the session status is "complete"

  Scenario: A setup fee added on create carries its period and its invoiceitem.created
    Given a customer on a new Stripe test clock
    When the customer subscribes to "price_HarnessProMonthly" with a setup fee of 700 "usd" for the period 1700000000 to 1700864000
    Then the customer's invoice item of 700 has the period 1700000000 to 1700864000
    And the latest invoice is "paid" for 1699 with lines "999, 700"
    And the receiver gets a verifiable "invoiceitem.created" event
