@provider @creem
Feature: Creem sandbox — products, customers and their billing portal, discounts, licence keys
  Products created through the API (POST /v1/products) sell in checkouts and subscriptions like the seeded ones;
  they are found by search, updated and archived, and an archived product sells no more. Customers are created,
  found by email, and get a billing-portal link whose page lists their subscriptions and cancels one at the period
  end with the same webhooks as the API's cancel. A discount code on a checkout takes its share off the order and,
  for a repeating or forever discount, off the renewals within its duration; it is refused when used up, deleted or
  for another product. A product with the licence-key feature issues a key at payment that activates up to its
  limit, validates per instance, and is disabled once its payment is refunded.

  Background:
    Given the Creem sandbox with webhooks sent to the merchant's receiver

  Scenario: A product created through the API is found, repriced, sold, and refused once archived
    When the merchant creates a "recurring" product of 1500 cents billed "every-month"
    And the merchant changes the product's price to 1800 cents
    Then a search of active products finds it at 1800 cents
    And a checkout for the product is for 1800 cents
    When the merchant archives the product
    Then a checkout for the product is refused with 400 and a message that mentions "Product is archived"

  Scenario: A customer's billing-portal link lists their subscription and cancels it at the period end
    Given a customer created through the API
    And the customer paid a Creem checkout for "prod_HarnessMonthly"
    When the merchant asks for the customer's billing-portal link
    And the customer cancels the subscription on the portal page
    Then the portal page shows the subscription as "scheduled_cancel"
    And the customer's subscriptions through the API are "scheduled_cancel"
    And the last webhook of the subscription is a verifiable "subscription.scheduled_cancel"

  Scenario: A repeating discount is taken off the checkout and the renewals within its months
    Given a customer created through the API
    And a 10 percent discount "repeating" for 1 month on "prod_HarnessMonthly"
    And the customer paid a Creem checkout for "prod_HarnessMonthly" with the discount code
    Then the checkout's order is 899 cents with 100 cents off and sub_total 999
    When the control API renews the customer's subscription
    Then the subscription's last transaction is 999 cents with 0 cents off

  Scenario: A discount code is refused once used up, for another product, and once deleted
    Given a 500 cents off discount "once" on "prod_HarnessOneTime" redeemable 1 time
    When a checkout for "prod_HarnessMonthly" uses the discount code
    Then the checkout is refused with 400 and a message that mentions "does not apply to this product"
    When a checkout for "prod_HarnessOneTime" uses the discount code and is paid
    And a checkout for "prod_HarnessOneTime" uses the discount code
    Then the checkout is refused with 400 and a message that mentions "maximum redemptions"
    When the merchant deletes the discount
    And a checkout for "prod_HarnessOneTime" uses the discount code
    Then the checkout is refused with 404 and a message that mentions "not found"

  Scenario: A licence key issued at payment activates up to its limit and is disabled by a refund
    Given a customer created through the API
    And the customer paid a Creem checkout for "prod_HarnessLicensed"
    Then the checkout.completed webhook carries the licence key, "inactive"
    When the licence key is activated on 3 devices
    Then activating it on one more device is refused with 400 and a message that mentions "activation limit"
    And validating the first device's instance answers "active"
    When the merchant refunds the checkout's order
    Then validating the first device's instance answers "disabled"
    And the customer's licences through the API are "disabled"
