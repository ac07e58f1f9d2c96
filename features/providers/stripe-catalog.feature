@provider @stripe
Feature: Stripe sandbox — products and prices made through the API
  POST /v1/products creates a product (a custom id may be given); default_price_data creates its default price with
  it. POST /v1/prices creates a per-unit price, one-time or recurring every interval_count intervals, of a product or
  of product_data. A lookup_key belongs to one price: another price may take it only with transfer_lookup_key=true.
  Amount and currency never change; a price or product is archived with active=false, and an archived price, or a
  price of an archived product, cannot be bought. A product with prices cannot be deleted. Each change sends
  product.created / product.updated / product.deleted or price.created / price.updated. GET /v1/products/search and
  /v1/prices/search take exact field:'value' and metadata['key']:'value' clauses joined by AND. Billing periods are calendar months.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A product created with a default price is renamed, archived and listed as inactive, with its events
    When the merchant creates a product "Gold" with a default price of 1500 "usd" every 1 "month"
    Then the product's default price is a recurring price of 1500 "usd" every 1 "month"
    And the receiver gets a verifiable "product.created" event for the product
    And the receiver gets a verifiable "price.created" event for the product
    When the merchant renames the product "Gold 2027" and archives it
    Then the receiver gets a verifiable "product.updated" event for the product
    And the product is listed among inactive products and not among active ones

  Scenario: A product with prices cannot be deleted, and one without is
    When the merchant creates a product "Gold" with a default price of 1500 "usd" every 1 "month"
    And the merchant deletes the product
    Then the answer is 400 with error type "invalid_request_error"
    When the merchant creates a product "Temporary"
    And the merchant deletes the product
    Then the product is deleted and no longer found
    And the receiver gets a verifiable "product.deleted" event for the product

  Scenario: Products are found by a search on their metadata and active flag
    When the merchant creates a product "Searched" with the scenario's metadata
    Then a product search for the scenario's metadata and active 'true' finds only that product
    When the merchant renames the product "Searched" and archives it
    Then a product search for the scenario's metadata and active 'true' finds nothing

  Scenario: A lookup key belongs to one price until another price takes it with transfer_lookup_key
    When the merchant creates a one-time price of 900 "usd" with the scenario's lookup key
    And the merchant creates a one-time price of 1200 "usd" with the scenario's lookup key
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "lookup_key"
    When the merchant creates a one-time price of 1200 "usd" with the scenario's lookup key and transfer_lookup_key
    Then listing prices by the scenario's lookup key finds only the price of 1200

  Scenario: A created price is bought in a checkout, and refused once archived
    When the merchant creates a one-time price of 2500 "usd"
    And the merchant creates a "payment" checkout session for 2 of the created price
    And the buyer pays on the hosted page
    Then the session status is "complete"
    When the merchant archives the created price
    And the merchant creates a "payment" checkout session for 2 of the created price
    Then the answer is 400 with error type "invalid_request_error", code "parameter_invalid" and param "line_items[0][price]"

  Scenario: A subscription to a price billed every three months renews three calendar months later
    Given a customer on a new Stripe test clock
    When the merchant creates a product "Quarterly" with a default price of 2700 "usd" every 3 "month"
    And the customer subscribes to the product's default price through the API
    Then the subscription is "active" with its items' period from "2026-01-01" to "2026-04-01"
    When the test clock is advanced by 3 months, 1 time
    Then the subscription is "active" with its items' period from "2026-04-01" to "2026-07-01"
    And the latest invoice is "paid" for 2700 with lines "2700"
