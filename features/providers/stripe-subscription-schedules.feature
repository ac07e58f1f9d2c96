@provider @stripe @recurring
Feature: Stripe sandbox — subscription schedules: changes that take effect later
  A subscription schedule (POST /v1/subscription_schedules) lays out a subscription's phases: each phase's items, for
  so many iterations of its price's interval (or up to an end_date), one after the other. A schedule that starts
  later creates its subscription when its start date comes; at each phase boundary the subscription changes to the
  next phase, before the renewal due then, which bills the new price; after the last phase the schedule releases the
  subscription (it renews on its own) or cancels it, as its end_behavior says. from_subscription puts an existing
  subscription on a schedule, whose phases an update then replaces from the current one on. Only test clocks move.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: An introductory price for three months, then the normal price, and the schedule lets the subscription go
    Given a customer on a new Stripe test clock
    When the merchant schedules "price_HarnessProMonthly" for 3 iterations then "price_HarnessTeamMonthly" for 1 iteration, starting now
    Then the schedule is "active" and its subscription is "active" on "price_HarnessProMonthly"
    When the test clock is advanced by 1 month, 3 times
    Then the schedule is "active" and its subscription is "active" on "price_HarnessTeamMonthly"
    And the subscription's paid invoices are "999, 999, 999, 2999"
    When the test clock is advanced by 1 month, 1 time
    Then the schedule is "released" and its subscription is "active" on "price_HarnessTeamMonthly"
    And the subscription's paid invoices are "999, 999, 999, 2999, 2999"
    And the receiver gets a verifiable "subscription_schedule.released" event for the schedule

  Scenario: A schedule that starts in ten days creates its subscription then, and end_behavior cancel ends it with the schedule
    Given a customer on a new Stripe test clock
    When the merchant schedules "price_HarnessProMonthly" to start in 10 days for 1 iteration with end_behavior "cancel"
    Then the schedule is "not_started"
    When the test clock is advanced by 10 days, 1 time
    And the scenario follows the schedule's subscription
    Then the schedule is "active" and its subscription is "active" on "price_HarnessProMonthly"
    When the test clock is advanced by 1 month, 1 time
    Then the schedule is "completed" and its subscription is "canceled" on "price_HarnessProMonthly"
    And the subscription's paid invoices are "999"
    And the receiver gets a verifiable "subscription_schedule.completed" event for the schedule

  Scenario: A downgrade at the period end: the subscription put on a schedule moves to the lower price at its renewal
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessTeamMonthly" through the API
    When the test clock is advanced by 10 days, 1 time
    And the merchant puts the subscription on a schedule that moves it to "price_HarnessProMonthly" at the period end
    Then a schedule from the subscription with an end_behavior is refused naming "end_behavior"
    When the test clock is advanced to the subscription's period end, 1 time
    Then the schedule is "active" and its subscription is "active" on "price_HarnessProMonthly"
    And the subscription's paid invoices are "2999, 999"
    And a phase with both iterations and end_date is refused naming "phases[0][end_date]"
