@provider @stripe @recurring
Feature: Stripe sandbox — coupons, promotion codes and discounts
  POST /v1/coupons makes a coupon (percent_off or amount_off, once / repeating / forever, max_redemptions, redeem_by,
  applies_to[products]); POST /v1/promotion_codes makes a customer-facing code for one. A Checkout Session takes a
  discount with discounts[0][coupon] or discounts[0][promotion_code], or, with allow_promotion_codes, from a code the
  buyer types on the hosted page: amount_total and total_details.amount_discount show it, the PaymentIntent is for the
  discounted amount, and the coupon and code count a redemption when the session completes. A subscription's
  invoices apply its discounts: once to the first, repeating for its months, forever to every one; several stack in
  the order given, and an update keeps one by naming it (discounts[n][discount]). Percentages round to the nearest
  cent. A repeating coupon's months are calendar months, like the subscription's periods.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A coupon on a checkout lowers its total and is redeemed when the buyer pays
    Given a Stripe coupon of 25 percent off
    When the merchant creates a payment checkout session for 4 of "price_HarnessCredits" with the coupon
    Then the session's subtotal is 400, its discount 100 and its total 300
    And the coupon has been redeemed 0 times
    When the buyer clicks Pay on the hosted page
    Then the session's payment intent is for 300
    And the coupon has been redeemed 1 time
    And the receiver gets a verifiable "coupon.created" event

  Scenario: A promotion code typed on the hosted page lowers the total, and an unknown one is refused
    Given a Stripe coupon of 500 "usd" off
    And a promotion code for the coupon
    And an open payment checkout session for 20 of "price_HarnessCredits" that allows promotion codes
    When the buyer types the promotion code "NOSUCHCODE0" on the pay page
    Then the pay page says "This code is invalid." and shows "20.00 USD"
    When the buyer types the promotion code on the pay page
    Then the pay page shows "15.00 USD"
    And the session's subtotal is 2000, its discount 500 and its total 1500
    When the buyer clicks Pay on the hosted page
    Then the session's payment intent is for 1500
    And the promotion code has been redeemed 1 time

  Scenario: A checkout refuses a discount together with allow_promotion_codes
    Given a Stripe coupon of 25 percent off
    When the merchant creates a checkout session with the coupon and allow_promotion_codes
    Then the answer is 400 with error type "invalid_request_error"

  Scenario: A repeating coupon discounts a subscription's invoices for its months, then stops
    Given a Stripe coupon of 50 percent off repeating for 2 months
    And a customer on a new Stripe test clock
    When the customer subscribes to "price_HarnessProMonthly" through the API with the coupon
    Then the latest invoice is "paid" for 499 with lines "999"
    When the test clock is advanced by 1 month, 1 time
    Then the latest invoice is "paid" for 499 with lines "999"
    When the test clock is advanced by 1 month, 1 time
    Then the latest invoice is "paid" for 999 with lines "999"

  Scenario: Stacked coupons discount a subscription in the order given, and an update keeps one by its discount id
    Given a Stripe coupon of 10 percent off forever
    And a second Stripe coupon of 200 "usd" off forever
    And a customer on a new Stripe test clock
    When the customer subscribes to "price_HarnessProMonthly" through the API with both coupons, the first coupon first
    Then the latest invoice is "paid" for 699 with lines "999"
    When the merchant keeps only the second coupon's discount on the subscription
    And the test clock is advanced by 1 month, 1 time
    Then the latest invoice is "paid" for 799 with lines "999"
