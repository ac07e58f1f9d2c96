@provider @creem
Feature: Creem sandbox — test-mode checkouts and creem-signature webhooks
  The sandbox answers the Creem API on its own base URL (default http://127.0.0.1:8102). The official creem
  npm SDK (1.13.0) works unmodified with new Creem({apiKey, serverURL}). Requests authenticate with the
  x-api-key header. Entities are always in mode "test" and complete enough for the SDK's strict schemas.
  Webhooks use the {id, eventType, created_at (ms), object} envelope, are signed with creem-signature
  (lowercase hex HMAC-SHA256 of the raw body) and are retried at 30 s, 1 min, 5 min and 1 h until a 200.

  Background:
    Given the Creem sandbox with webhooks sent to the merchant's receiver

  Scenario: A checkout is created pending with a hosted page
    When the merchant creates a checkout for "prod_HarnessOneTime" with request_id "ref_1"
    Then the checkout has:
      | object     | checkout |
      | mode       | test     |
      | status     | pending  |
      | request_id | ref_1    |
    And its product is the full product object
    And its checkout_url is the sandbox's hosted pay page

  Scenario: A checkout is retrieved by query parameter
    Given a checkout for "prod_HarnessOneTime"
    When the merchant retrieves GET /v1/checkouts?checkout_id= with its id
    Then the same checkout is returned

  Scenario: Paying a one-time product completes the checkout with an order and a customer
    Given a checkout for "prod_HarnessOneTime" with success_url "https://merchant.example/thanks"
    When the buyer pays on the hosted page
    Then the buyer is redirected to "https://merchant.example/thanks" with checkout_id, order_id, customer_id, product_id and signature
    And the receiver gets a "checkout.completed" event whose creem-signature verifies over the raw body
    And the event's object has status "completed", an order of 1000 cents marked "paid" and a customer with a country field

  Scenario: Paying a recurring product also starts a subscription
    Given a checkout for "prod_HarnessMonthly"
    When the buyer pays on the hosted page
    Then the receiver gets "checkout.completed", "subscription.active" then "subscription.paid"
    And the subscription events carry the full product and customer objects

  Scenario: Anything but a 200 is retried on Creem's schedule
    Given the receiver answers 204 and then 500
    When the buyer pays on the hosted page
    And the sandbox clock advances by 30 seconds and then by 1 minute
    Then the delivery log shows three attempts answered 204, 500 and 200 with the same body

  Scenario: Requests without the API key are refused
    When a request arrives without the x-api-key header
    Then the answer is 403 with body statusCode 403 and error "Forbidden"

  Scenario Outline: Bad checkout requests get Creem's error body
    When the merchant creates a checkout with body <body>
    Then the answer is <status> and the message mentions "<message>"

    Examples:
      | body                                                   | status | message                        |
      | {"request_id":"x"}                                     | 400    | product_id must be a string    |
      | {"product_id":"prod_HarnessOneTime","units":0}         | 400    | units must be a positive integer |
      | {"product_id":"prod_HarnessOneTime","colour":"red"}    | 400    | property colour should not exist |
      | {"product_id":"prod_nope"}                             | 404    | Product not found              |
