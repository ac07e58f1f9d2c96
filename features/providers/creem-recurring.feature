@provider @creem @recurring
Feature: Creem sandbox — subscriptions, renewals, cancellation, upgrades and refunds
  A checkout for a recurring product starts a subscription (subscription.active, subscription.paid). Each
  renewal is a paid transaction and a subscription.paid webhook; the period moves on by the product's billing
  period from the subscription's anchor. The control API makes a subscription's next renewal, retry or scheduled
  end happen now (POST /control/creem/subscriptions/{id}/renew) without moving the shared sandbox clock, and
  makes its charges fail. A failed renewal makes it past_due and is retried 3, 5 and 7 days after the previous
  attempt; when every retry failed it is expired and then canceled or unpaid (the end state). Cancellation is
  immediate or scheduled for the period end (subscription.scheduled_cancel, then subscription.canceled); pause
  and resume; upgrade prorates by Creem's update_behavior. An item added to a subscription renews with it in one
  transaction; fewer seats credit the unused part to the next renewal. A refund of a transaction sends refund.created.

  Background:
    Given the Creem sandbox with webhooks sent to the merchant's receiver

  Scenario: A subscription renews twice, is scheduled to cancel and ends at the period end
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly"
    When the control API makes the subscription's next renewal happen, 2 times
    And the merchant cancels the subscription with mode "scheduled"
    And the control API makes the subscription's next renewal happen, 1 time
    Then the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event                          | status           |
      | subscription.active            | active           |
      | subscription.paid              | active           |
      | subscription.paid              | active           |
      | subscription.paid              | active           |
      | subscription.scheduled_cancel  | scheduled_cancel |
      | subscription.canceled          | canceled         |
    And the subscription is "canceled" and its last transaction is 999 cents

  Scenario: A scheduled cancel is undone by resuming before the period ends
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly"
    When the merchant cancels the subscription with mode "scheduled"
    And the merchant resumes the subscription
    And the control API makes the subscription's next renewal happen, 1 time
    Then the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event                          | status           |
      | subscription.active            | active           |
      | subscription.paid              | active           |
      | subscription.scheduled_cancel  | scheduled_cancel |
      | subscription.update            | active           |
      | subscription.paid              | active           |
    And the subscription is "active" and its last transaction is 999 cents

  Scenario: A canceled subscription cannot be resumed, and a paused one neither renews nor fails
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly"
    When the merchant pauses the subscription
    And the merchant cancels the subscription with mode "immediate"
    And the merchant resumes the subscription
    Then the merchant's request is refused with 400 and a message that mentions "can be resumed"
    And the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event                 | status   |
      | subscription.active   | active   |
      | subscription.paid     | active   |
      | subscription.paused   | paused   |
      | subscription.canceled | canceled |

  Scenario: A card that starts failing makes the subscription past due, then expired and canceled after the last retry
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly"
    And the control API makes the subscription's charges fail with end state "canceled"
    When the control API makes the subscription's next renewal happen, 4 times
    Then the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event                 | status   |
      | subscription.active   | active   |
      | subscription.paid     | active   |
      | subscription.past_due | past_due |
      | subscription.expired  | past_due |
      | subscription.canceled | canceled |

  Scenario: Upgrading with proration-charge-immediately charges the difference at once and renews at the new price
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly"
    When the merchant upgrades the subscription to "prod_HarnessProMonthly" with "proration-charge-immediately"
    And the control API makes the subscription's next renewal happen, 1 time
    Then the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event               | status |
      | subscription.active | active |
      | subscription.paid   | active |
      | subscription.update | active |
      | subscription.paid   | active |
      | subscription.paid   | active |
    And the subscription is "active" and its last transaction is 1999 cents

  Scenario: Upgrading to a one-time product is refused
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly"
    When the merchant upgrades the subscription to "prod_HarnessOneTime" with "proration-none"
    Then the merchant's request is refused with 400 and a message that mentions "active recurring product"

  Scenario: Refunding a subscription's first transaction sends refund.created
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly"
    When the merchant refunds the subscription's first transaction
    Then the receiver gets a verifiable refund.created of 999 cents whose transaction is "refunded"

  Scenario: An added item renews with the first in one transaction, and fewer seats credit the next renewal
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly" with 3 seats
    When the control API makes the subscription's next renewal happen, 1 time
    And the merchant adds "prod_HarnessProMonthly" with 2 seats to the subscription with "proration-none"
    And the merchant sets the seats of the subscription's "prod_HarnessMonthly" item to 1 with "proration-charge"
    And the control API makes the subscription's next renewal happen, 1 time
    Then the subscription's items are, in order:
      | product                | units |
      | prod_HarnessMonthly    | 1     |
      | prod_HarnessProMonthly | 2     |
    And the subscription's webhooks are, in order, each with a creem-signature that verifies:
      | event               | status |
      | subscription.active | active |
      | subscription.paid   | active |
      | subscription.paid   | active |
      | subscription.update | active |
      | subscription.update | active |
      | subscription.paid   | active |
    And the subscription is "active" and its last transaction is 2999 cents

  Scenario: An item of another billing period is refused
    Given the buyer paid a subscription checkout for "prod_HarnessMonthly"
    When the merchant adds "prod_HarnessYearly" with 1 seat to the subscription with "proration-none"
    Then the merchant's request is refused with 400 and a message that mentions "bills every-year; the subscription bills every-month"
