@provider @stripe @recurring
Feature: Stripe sandbox — tiered prices
  A price with billing_scheme=tiered has no unit amount: its tiers (up_to, unit_amount, flat_amount; the last up to
  inf) price a quantity. With tiers_mode=volume every unit costs what the tier the whole quantity falls in says, plus
  that tier's flat amount; with tiers_mode=graduated each tier bills its own units, plus the flat amount of every tier
  reached. The price shows its tiers only with expand[]=tiers. Subscription invoices, previews and metered usage at
  the renewal are all priced through the tiers.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A volume-tiered price bills every unit at the tier the quantity reaches, its tiers shown only when expanded
    Given a customer on a new Stripe test clock
    And a monthly "volume" tiered price with tiers "5:1000, 10:800+500, inf:600"
    Then the tiered price shows no tiers unless expanded, and 3 tiers when expanded
    When the customer subscribes to 6 of the tiered price through the API
    Then the latest invoice is "paid" for 5300 with lines "5300"
    And the upcoming invoice previews 5300
    When the test clock is advanced to the subscription's period end, 1 time
    Then the latest invoice is "paid" for 5300 with lines "5300"

  Scenario: Metered usage is billed through graduated tiers at the renewal: a base fee for the first 1,000 calls, then per call
    Given a customer on a new Stripe test clock
    And a billing meter summing its events
    And a monthly "graduated" tiered price on the meter with tiers "1000:0+500, 10000:2, inf:1"
    When the customer subscribes to "price_HarnessProMonthly" and the tiered price through the API
    Then the latest invoice is "paid" for 999 with lines "999, 0"
    When the test clock is advanced by 10 days, 1 time
    And the customer's usage of 800 on day 2 of the subscription is reported to the meter
    And the customer's usage of 400 on day 9 of the subscription is reported to the meter
    Then the upcoming invoice previews 1899
    When the test clock is advanced to the subscription's period end, 1 time
    Then the latest invoice is "paid" for 1899 with lines "999, 900"

  Scenario: Tiers that Stripe refuses are a 400 naming the parameter
    Then a "volume" tiered price with tiers "10:100" is refused naming "tiers[0][up_to]"
    And a "volume" tiered price with tiers "inf:100, inf:50" is refused naming "tiers[0][up_to]"
    And a "graduated" tiered price with tiers "10:100, 5:50, inf:10" is refused naming "tiers[1][up_to]"
    And a "graduated" tiered price with tiers "10:, inf:10" is refused naming "tiers[0]"
    And a "stepped" tiered price with tiers "inf:10" is refused naming "tiers_mode"
