@provider @stripe @recurring
Feature: Stripe sandbox — subscription items: adding and removing items of a live subscription
  A subscription may have several items, each a recurring price of the subscription's currency and interval, each
  price once. POST /v1/subscription_items adds one, DELETE /v1/subscription_items/{id} removes one, and
  POST /v1/subscriptions/{id} adds (items[n] without id), changes (items[n][id]) and removes (items[n][deleted]) them
  in one call. Each added or removed item is prorated for the rest of the period, as a price change is: "Remaining
  time on …" for an added one, "Unused time on …" for a removed one, pending until the next renewal, which bills every
  item. The last item cannot be removed: a subscription ends by being canceled.

  Background:
    Given the Stripe sandbox with webhooks sent to the merchant's receiver

  Scenario: An item added halfway and another removed are prorated, and the renewal bills the items left
    Given a customer on a new Stripe test clock frozen at "2026-02-01T00:00:00Z"
    And the customer subscribes to "price_HarnessProMonthly" through the API
    When the test clock is advanced by 14 days, 1 time
    And the merchant adds "price_HarnessTeamMonthly" to the subscription through the Subscription Items API
    Then the subscription's items are "price_HarnessProMonthly, price_HarnessTeamMonthly"
    And the customer's pending invoice items are prorations of "1500"
    And the receiver gets a verifiable "customer.subscription.updated" event whose previous price is "price_HarnessProMonthly"
    When the merchant removes the subscription's "price_HarnessProMonthly" item with a subscription update
    Then the subscription's items are "price_HarnessTeamMonthly"
    And the customer's pending invoice items are prorations of "1500, -500"
    And deleting the subscription's "price_HarnessTeamMonthly" item is refused naming "id"
    When the test clock is advanced to the subscription's period end, 1 time
    Then the latest invoice is "paid" for 3999 with lines "2999, 1500, -500"
