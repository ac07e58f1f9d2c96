@provider @stripe
Feature: Stripe sandbox — Payment Links
  POST /v1/payment_links makes a link selling existing prices (up to 20 line items of one currency; any recurring
  price makes it a subscription link), with a url on the sandbox like Stripe's https://buy.stripe.com/test_….
  Opening the url makes a Checkout Session from the link through the sandbox's Checkout (the session's payment_link
  names it) and sends the buyer to its hosted pay page; paying it completes the session as any other, so the
  checkout.session.completed event carries payment_link. A line with adjustable_quantity lets the buyer choose how
  many on the link's page, within its range. A link that is inactive, or whose restrictions.completed_sessions.limit
  is reached, shows its inactive_message and makes no session; the count is kept in the completion's own store unit.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: Opening a payment link makes a session carrying it, and paying sends checkout.session.completed naming it
    Given a Stripe payment link for 3 of "price_HarnessCredits"
    When the buyer opens the payment link
    Then the session names the payment link and is for 300
    When the buyer clicks Pay on the hosted page
    Then the session status is "complete"
    And the receiver's "checkout.session.completed" event names the payment link
    And the receiver gets a verifiable "payment_link.created" event

  Scenario: A payment link of a recurring price starts a subscription
    Given a Stripe payment link for 1 of "price_HarnessProMonthly"
    When the buyer opens the payment link
    And the buyer clicks Pay on the hosted page
    Then the subscription is "active" and the session names it
    And the receiver's "checkout.session.completed" event names the payment link

  Scenario: The buyer chooses an adjustable quantity on the link's page
    Given a Stripe payment link for "price_HarnessCredits" whose buyer chooses 1 to 10
    When the buyer opens the payment link and chooses 6
    Then the session names the payment link and is for 600

  Scenario: A link at its completed-session limit, or deactivated, shows its inactive message and makes no session
    Given a Stripe payment link for 1 of "price_HarnessCredits" limited to 1 completed session with the inactive message "Sold out."
    When the buyer opens the payment link
    And the buyer clicks Pay on the hosted page
    Then the payment link has 1 completed session
    And opening the payment link shows "Sold out." and makes no session
    When the merchant deactivates the payment link
    Then opening the payment link shows "Sold out." and makes no session

  Scenario: A payment link refuses prices of two currencies
    When the merchant tries a payment link for "price_HarnessProMonthly" and "price_HarnessProMonthlyEur"
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "line_items[1][price]"
