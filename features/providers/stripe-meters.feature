@provider @stripe @recurring
Feature: Stripe sandbox — usage-based billing with billing meters
  A billing meter (POST /v1/billing/meters) counts the meter events (POST /v1/billing/meter_events) that carry its
  event_name, per customer, by its aggregation (sum, count or last). A metered price (recurring[usage_type]=metered)
  needs a meter (recurring[meter]); its subscription item has no quantity. Usage is billed in arrears: the invoice that
  starts a period bills each metered item the usage of the period just ended, beside the licensed items billed in
  advance; the first invoice bills it 0. GET /v1/billing/meters/{id}/event_summaries answers the aggregated usage.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: Usage reported to a meter is billed in arrears at the renewal, beside the licensed item billed in advance
    Given a customer on a new Stripe test clock
    And a billing meter summing its events
    And a monthly metered price of 5 per unit on the meter
    When the customer subscribes to "price_HarnessProMonthly" and the metered price through the API
    Then the latest invoice is "paid" for 999 with lines "999, 0"
    And subscribing with a quantity of the metered price is refused naming "items[0][quantity]"
    When the test clock is advanced by 10 days, 1 time
    And the customer's usage of 100 on day 2 of the subscription is reported to the meter
    And the customer's usage of 250 on day 9 of the subscription is reported to the meter
    Then the meter's summary of the customer's usage over the first 10 days is 350
    When the test clock is advanced to the subscription's period end, 1 time
    Then the latest invoice is "paid" for 2749 with lines "999, 1750"
