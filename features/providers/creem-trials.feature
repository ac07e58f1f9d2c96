@provider @creem @recurring
Feature: Creem sandbox — trials and seats
  A product with trial_period_days starts its subscriptions trialing: the checkout charges nothing
  (checkout.completed, subscription.trialing), or trial_price per seat for a paid trial (then subscription.paid
  too), and the trial's end is the first charge (subscription.active,
  subscription.paid) or, when the card declines, the failure path. Canceling during a trial ends it without a
  charge. A checkout's units are seats: price × units now and at every renewal; POST /v1/subscriptions/{id} with
  items[].units changes them (subscription.update), an increase prorated by update_behavior.

  Background:
    Given the Creem sandbox with webhooks sent to the merchant's receiver

  Scenario: A trial for two seats charges nothing until its end, then price times seats
    Given the merchant created a monthly product of 1500 cents with a 14-day trial
    And the buyer paid a checkout for that product with 2 seats
    Then the subscription is "trialing" and has no transaction
    When the control API makes the subscription's next renewal happen, 1 time
    Then the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event                 | status   |
      | subscription.trialing | trialing |
      | subscription.active   | active   |
      | subscription.paid     | active   |
    And the subscription is "active" and its last transaction is 3000 cents

  Scenario: A paid trial charges its price per seat at checkout, then the full price at its end
    Given the merchant created a monthly product of 1500 cents with a 7-day trial charged 200 cents
    And the buyer paid a checkout for that product with 2 seats
    Then the subscription is "trialing" and its last transaction is 400 cents
    When the control API makes the subscription's next renewal happen, 1 time
    Then the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event                 | status   |
      | subscription.trialing | trialing |
      | subscription.paid     | trialing |
      | subscription.active   | active   |
      | subscription.paid     | active   |
    And the subscription is "active" and its last transaction is 3000 cents

  Scenario: A trial canceled before its end is never charged
    Given the merchant created a monthly product of 1500 cents with a 14-day trial
    And the buyer paid a checkout for that product with 1 seat
    When the merchant cancels the subscription with mode "immediate"
    Then the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event                 | status   |
      | subscription.trialing | trialing |
      | subscription.canceled | canceled |
    And the subscription is "canceled" and has no transaction

  Scenario: Seats added without proration are charged from the next renewal
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly" with 1 seat
    When the merchant sets the subscription's seats to 3 with "proration-none"
    And the control API makes the subscription's next renewal happen, 1 time
    Then the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event               | status |
      | subscription.active | active |
      | subscription.paid   | active |
      | subscription.update | active |
      | subscription.paid   | active |
    And the subscription is "active" and its last transaction is 2997 cents

  Scenario: Zero seats are refused
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly"
    When the merchant sets the subscription's seats to 0 with "proration-charge"
    Then the merchant's request is refused with 400 and a message that mentions "items.0.units must be a positive integer"
