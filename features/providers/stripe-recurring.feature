@provider @stripe @recurring
Feature: Stripe sandbox — recurring billing on test clocks
  Subscriptions renew at current_period_end, on the calendar in UTC: a monthly one renews on its billing cycle anchor's
  day of month, or on the last day of a month that has no such day, and returns to that day after. A customer created with a Stripe test clock lives on that clock:
  advancing it (POST /v1/test_helpers/test_clocks/{id}/advance, then polling until it is "ready") runs the
  renewals, retries and cancellations that fall due, as in Stripe's test mode. Each renewal has a paid invoice
  and sends invoice.paid; a declined one sends invoice.payment_failed and is retried 3, 5 and 7 days after the
  previous attempt, then the subscription is canceled (the default end state). Every event is signed with
  Stripe-Signature and also listed by GET /v1/events. A checkout with a trial starts the subscription trialing,
  sends customer.subscription.trial_will_end three days before the trial ends and charges when it ends.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: A subscription checkout on a test clock renews each time the clock passes the period end
    Given a customer on a new Stripe test clock
    And the customer paid a subscription checkout for "price_HarnessProMonthly"
    When the test clock is advanced by 1 month, 3 times
    Then the receiver gets 4 verifiable "invoice.paid" events, 3 of them for renewals
    And the subscription is "active" with its items' period from "2026-04-01" to "2026-05-01"
    And the event log lists 4 "invoice.paid" events for the subscription

  Scenario: A trial checkout starts trialing, warns before the trial ends and charges when it ends
    Given a customer on a new Stripe test clock
    And the customer paid a subscription checkout for "price_HarnessProMonthly" with a 14-day trial
    Then the subscription is "trialing" with its items' period from day 0 to day 14 of the clock
    When the test clock is advanced by 14 days, 1 time
    Then the receiver gets a verifiable "customer.subscription.trial_will_end" event
    And the receiver gets 2 verifiable "invoice.paid" events, 1 of them for renewals
    And the subscription is "active" with its items' period from "2026-01-15" to "2026-02-15"

  Scenario: Cancel at period end ends the subscription at the period end without another invoice
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the merchant sets cancel_at_period_end to "true"
    And the test clock is advanced by 1 month, 1 time
    Then the receiver gets a verifiable "customer.subscription.deleted" event
    And the subscription is "canceled"
    And the receiver gets 1 verifiable "invoice.paid" event, 0 of them for renewals

  Scenario: Cancel at period end can be undone before the period ends
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the merchant sets cancel_at_period_end to "true"
    And the merchant sets cancel_at_period_end to "false"
    And the test clock is advanced by 1 month, 1 time
    Then the receiver gets 2 verifiable "invoice.paid" events, 1 of them for renewals
    And the subscription is "active" with its items' period from "2026-02-01" to "2026-03-01"

  Scenario: A declined renewal is retried 3, 5 and 7 days later, then the subscription is canceled
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    And the control API makes the subscription's charges fail
    When the test clock is advanced by 1 month, 1 time
    And the test clock is advanced by 15 days, 1 time
    Then the receiver gets 4 verifiable "invoice.payment_failed" events with next attempts 3, 8 and 15 days after the first, then none
    And the subscription is "canceled"
    And the receiver gets a verifiable "customer.subscription.deleted" event

  Scenario: A renewal charges the customer's default card, and a saved card that declines fails it into the retries
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    And the customer saves "pm_card_chargeCustomerFail" as its default card
    When the test clock is advanced by 1 month, 1 time
    Then the receiver gets 1 verifiable "invoice.payment_failed" event, 1 of them for renewals
    And the subscription is "past_due"
    And the latest invoice's charge is "failed" on the customer's default card

  Scenario: A partial refund of a paid checkout sends charge.refunded
    Given a checkout session that has been paid
    When the merchant refunds 100 of the session's payment intent
    Then the answer is a "succeeded" refund of 100
    And the receiver gets a verifiable "charge.refunded" event whose charge has 100 refunded

  Scenario: A declining first payment leaves the subscription incomplete until its invoice's PaymentIntent is paid
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_chargeCustomerFail" as its default card
    When the customer subscribes to "price_HarnessProMonthly" through the API with payment_behavior "allow_incomplete"
    Then the subscription is "incomplete"
    And the receiver gets a verifiable "invoice.payment_failed" event
    When the merchant confirms the first invoice's PaymentIntent with "pm_card_visa"
    Then the subscription is "active"
    And the receiver gets a verifiable "invoice.paid" event

  Scenario: Off-session, a card that needs authentication fails the first payment instead of asking for 3-D Secure
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_authenticationRequired" as its default card
    When the customer subscribes to "price_HarnessProMonthly" through the API off-session
    Then the subscription is "incomplete"
    And the first invoice's PaymentIntent failed with "authentication_required"
    And the receiver gets a verifiable "invoice.payment_failed" event
    When the merchant confirms the first invoice's PaymentIntent with "pm_card_visa"
    Then the subscription is "active"

  Scenario: An incomplete subscription not paid within 23 hours expires with its invoice void
    Given a customer on a new Stripe test clock
    When the customer subscribes to "price_HarnessProMonthly" through the API with payment_behavior "default_incomplete"
    Then the subscription is "incomplete"
    When the test clock is advanced by 1 days, 1 time
    Then the subscription is "incomplete_expired"
    And the receiver gets a verifiable "invoice.voided" event
    And the receiver gets a verifiable "customer.subscription.deleted" event

  Scenario: An upgrade whose invoice declines waits as a pending update until its invoice is paid
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    When the customer subscribes to "price_HarnessProMonthly" through the API with payment_behavior "allow_incomplete"
    Then the subscription is "active"
    Given the customer saves "pm_card_chargeCustomerFail" as its default card
    When the merchant changes the subscription to "price_HarnessTeamMonthly" at once with payment_behavior "pending_if_incomplete"
    Then the subscription's price is "price_HarnessProMonthly" with a pending update to "price_HarnessTeamMonthly"
    And the subscription is "active"
    And the receiver gets a verifiable "invoice.payment_failed" event
    When the merchant pays the latest invoice with "pm_card_visa"
    Then the subscription's price is "price_HarnessTeamMonthly" with no pending update
    And the receiver gets a verifiable "customer.subscription.pending_update_applied" event

  Scenario: A pending update not paid within 23 hours expires with its invoice void
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    When the customer subscribes to "price_HarnessProMonthly" through the API with payment_behavior "allow_incomplete"
    Given the customer saves "pm_card_chargeCustomerFail" as its default card
    When the merchant changes the subscription to "price_HarnessTeamMonthly" at once with payment_behavior "pending_if_incomplete"
    Then the subscription's price is "price_HarnessProMonthly" with a pending update to "price_HarnessTeamMonthly"
    When the test clock is advanced by 1 days, 1 time
    Then the subscription's price is "price_HarnessProMonthly" with no pending update
    And the receiver gets a verifiable "customer.subscription.pending_update_expired" event
    And the receiver gets a verifiable "invoice.voided" event

  Scenario: A trial started through the API moves its end and then charges the default card
    Given a customer on a new Stripe test clock
    And the customer saves "pm_card_visa" as its default card
    When the customer subscribes to "price_HarnessProMonthly" through the API with a 7-day trial
    Then the subscription is "trialing" with its items' period from day 0 to day 7 of the clock
    When the merchant moves the trial's end to day 10 of the clock
    Then the subscription is "trialing" with its items' period from day 0 to day 10 of the clock
    When the test clock is advanced by 10 days, 1 time
    Then the subscription is "active" with its items' period from "2026-01-11" to "2026-02-11"
    And the latest invoice's charge is "succeeded" on the subscription's card

  Scenario: A trial added to an active subscription credits the unused time and charges the rest at its end
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the test clock is advanced by 10 days, 1 time
    And the merchant adds a trial to the subscription until day 30 of the clock
    Then the subscription is "trialing" with its items' period from day 10 to day 30 of the clock
    And the customer's pending invoice items are prorations of "-677"
    And the receiver gets a verifiable "invoiceitem.created" event
    When the test clock is advanced by 17 days, 1 time
    Then the receiver gets a verifiable "customer.subscription.trial_will_end" event
    When the test clock is advanced by 3 days, 1 time
    Then the subscription is "active" with its items' period from "2026-01-31" to "2026-02-28"
    And the latest invoice is "paid" for 322 with lines "999, -677"

  Scenario: A trial that ends without a card under missing_payment_method cancel is canceled
    Given a customer on a new Stripe test clock
    When the customer subscribes to "price_HarnessProMonthly" through the API with a 7-day trial and missing_payment_method "cancel"
    And the test clock is advanced by 7 days, 1 time
    Then the subscription is "canceled"
    And the receiver gets a verifiable "customer.subscription.deleted" event
    And the event log lists 1 "invoice.paid" events for the subscription

  Scenario: A trial that ends without a card under missing_payment_method pause is paused until the merchant resumes it
    Given a customer on a new Stripe test clock
    When the customer subscribes to "price_HarnessProMonthly" through the API with a 7-day trial and missing_payment_method "pause"
    And the test clock is advanced by 7 days, 1 time
    Then the subscription is "paused"
    And the receiver gets a verifiable "customer.subscription.paused" event
    When the test clock is advanced by 30 days, 2 times
    Then the subscription is "paused"
    And the event log lists 1 "invoice.paid" events for the subscription
    When the customer saves "pm_card_visa" as its default card
    And the merchant resumes the paused Stripe subscription
    Then the subscription is "active" with its items' period from "2026-03-09" to "2026-04-09"
    And the receiver gets a verifiable "customer.subscription.resumed" event
    And the event log lists 2 "invoice.paid" events for the subscription
    And the latest invoice's charge is "succeeded" on the customer's default card
    And resuming the subscription again is refused with a 400

  Scenario: Paused payment collection keeps a renewal as a draft until resumes_at, then renewals are charged again
    Given a customer on a new Stripe test clock
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the merchant pauses the subscription's payment collection with behavior "keep_as_draft" until 1 day after its period end
    Then the receiver gets a verifiable "customer.subscription.updated" event
    When the test clock is advanced past the subscription's period end
    Then the subscription is "active"
    And the latest invoice is a draft of 999 that does not advance
    And the event log lists 1 "invoice.paid" events for the subscription
    When the test clock is advanced past the pause's resumes_at
    Then the subscription's payment collection is no longer paused
    When the merchant finalizes and pays the held draft invoice
    Then the event log lists 2 "invoice.paid" events for the subscription
    When the test clock is advanced past the subscription's period end
    Then the event log lists 3 "invoice.paid" events for the subscription

  Scenario: A subscription checkout saves the buyer's card as the subscription's default payment method
    Given a customer on a new Stripe test clock
    And the customer paid a subscription checkout for "price_HarnessProMonthly"
    Then the subscription's default payment method is a card saved to the customer
    And the receiver gets a verifiable "payment_method.attached" event
    When the test clock is advanced by 1 month, 1 time
    Then the latest invoice's charge is "succeeded" on the subscription's card

  Scenario: A subscription started on a 31st renews on the last day of the next month, then on the 31st again
    Given a customer on a new Stripe test clock frozen at "2027-01-31T09:30:00Z"
    And the customer subscribes to "price_HarnessProMonthly" through the API
    Then the subscription is "active" with its items' period from "2027-01-31" to "2027-02-28"
    When the test clock is advanced to the subscription's period end, 1 time
    Then the subscription is "active" with its items' period from "2027-02-28" to "2027-03-31"
    When the test clock is advanced to the subscription's period end, 2 times
    Then the subscription is "active" with its items' period from "2027-04-30" to "2027-05-31"
    And the receiver gets 4 verifiable "invoice.paid" events, 3 of them for renewals

  Scenario: A subscription anchored on a future date charges the time up to it prorated, then full periods from it
    Given a customer on a new Stripe test clock frozen at "2027-04-10T00:00:00Z"
    Then anchoring a subscription to "price_HarnessProMonthly" at "2027-05-10T00:00:01Z" is refused naming "billing_cycle_anchor"
    When the customer subscribes to "price_HarnessProMonthly" through the API anchored at "2027-05-01T00:00:00Z"
    Then the subscription is "active" with its items' period from "2027-04-10" to "2027-05-01"
    And the subscription's billing cycle anchor is "2027-05-01T00:00:00Z"
    And the latest invoice is "paid" for 699 with lines "699"
    When the test clock is advanced to the subscription's period end, 1 time
    Then the subscription is "active" with its items' period from "2027-05-01" to "2027-06-01"
    And the latest invoice is "paid" for 999 with lines "999"

  Scenario: A trial followed by a later anchor charges the time from the trial's end to the anchor prorated
    Given a customer on a new Stripe test clock frozen at "2027-04-10T00:00:00Z"
    When the customer subscribes to "price_HarnessProMonthly" through the API with a 7-day trial anchored at "2027-05-01T00:00:00Z"
    Then the subscription is "trialing" with its items' period from "2027-04-10" to "2027-04-17"
    And the subscription's billing cycle anchor is "2027-05-01T00:00:00Z"
    When the test clock is advanced to the subscription's period end, 1 time
    Then the subscription is "active" with its items' period from "2027-04-17" to "2027-05-01"
    And the latest invoice is "paid" for 466 with lines "466"
    When the test clock is advanced to the subscription's period end, 1 time
    Then the subscription is "active" with its items' period from "2027-05-01" to "2027-06-01"
    And the latest invoice is "paid" for 999 with lines "999"

  Scenario: A checkout's billing_cycle_anchor_config anchors the subscription on the configured day
    Given a customer on a new Stripe test clock
    When the customer pays a subscription checkout for "price_HarnessProMonthly" with billing_cycle_anchor_config day_of_month 1
    Then the subscription's first period ends at its billing cycle anchor, on day 1 of a month as its billing_cycle_anchor_config says

  Scenario: billing_cycle_anchor_config on the 31st anchors on a 30-day month's last day, then renews on the 31st
    Given a customer on a new Stripe test clock frozen at "2027-04-10T00:00:00Z"
    When the customer subscribes to "price_HarnessProMonthly" through the API with billing_cycle_anchor_config day_of_month 31
    Then the subscription is "active" with its items' period from "2027-04-10" to "2027-04-30"
    And the latest invoice is "paid" for 666 with lines "666"
    When the test clock is advanced to the subscription's period end, 1 time
    Then the subscription is "active" with its items' period from "2027-04-30" to "2027-05-31"
    And the receiver gets 2 verifiable "invoice.paid" events, 1 of them for renewals
