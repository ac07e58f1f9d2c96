@portaly @subscriptions
Feature: Portaly subscriptions: reading, cancelling at the period end, resuming, failing renewals
  A completed checkout of a recurring plan starts a subscription with the session's id, in the key's mode. Cancelling
  keeps it active until the end of the paid period (cancelAtPeriodEnd, cancelEffectiveAt), then it ends without a
  charge and creator_subscription.canceled is sent once. Resuming is possible only while the cancellation is pending.
  A checkout completed by the merchant's manual route keeps no card, so its renewals fail: past_due, retried a day
  later, and the third failure in a row cancels it. One-time plans refuse cancel and resume.

  Scenario: A completed checkout starts a subscription in the key's mode
    Given a Portaly merchant with a live key
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.id                | {{session:s1}} |
      | data.planId            | {{plan:basic}} |
      | data.status            | active         |
      | data.mode              | test           |
      | data.amount            | 300            |
      | data.billingPeriod     | monthly        |
      | data.cancelAtPeriodEnd | false          |
      | data.customerEmail     | {{email}}      |
      | data.nextBillingAt     | (any)          |
    When the merchant requests "GET /subscriptions?customerEmail={{email}}"
    Then the Portaly answer has:
      | data.0.id | {{session:s1}} |
      | data.1    | (absent)       |
    When the merchant's live key requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"

  Scenario: A one-time plan's subscription can be neither cancelled nor resumed
    Given a Portaly merchant
    And the merchant has a one-time plan "pack" of 300
    When the merchant creates checkout session "s1" for plan "pack"
    And the merchant completes checkout session "s1"
    And the merchant requests "POST /subscriptions/{{session:s1}}/cancel" with:
      """
      {}
      """
    Then the Portaly call is refused with HTTP 422 and code "NOT_RECURRING"
    When the merchant requests "POST /subscriptions/{{session:s1}}/resume" with:
      """
      {}
      """
    Then the Portaly call is refused with HTTP 422 and code "NOT_RECURRING"

  Scenario: A cancellation waits for the period end and can be undone until then
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant requests "POST /subscriptions/{{session:s1}}/resume" with:
      """
      {}
      """
    Then the Portaly call is refused with HTTP 409 and code "NOT_PENDING_CANCELLATION"
    When the merchant requests "POST /subscriptions/{{session:s1}}/cancel" with:
      """
      {"reason": "customer_requested", "reasonNote": "moving away"}
      """
    Then the Portaly answer has:
      | data.status            | active |
      | data.cancelAtPeriodEnd | true   |
      | data.cancelEffectiveAt | (any)  |
      | data.canceledAt        | null   |
    And the merchant receives 1 verified "cancel_requested" callback about checkout session "s1"
    When the merchant requests "POST /subscriptions/{{session:s1}}/resume" with:
      """
      {}
      """
    Then the Portaly answer has:
      | data.status            | active |
      | data.cancelAtPeriodEnd | false  |
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.cancelAtPeriodEnd | false |
      | data.cancelEffectiveAt | null  |

  Scenario: At the period end a cancelled subscription ends without a charge and cannot be resumed
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant requests "POST /subscriptions/{{session:s1}}/cancel" with:
      """
      {}
      """
    Then the merchant receives 1 verified "cancel_requested" callback about checkout session "s1"
    When 32 days pass on the Portaly clock
    Then the merchant receives 1 verified "canceled" callback about checkout session "s1"
    And the merchant receives 0 verified "payment.failed" callbacks about checkout session "s1"
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.status        | canceled |
      | data.nextBillingAt | null     |
      | data.canceledAt    | (any)    |
    When the merchant requests "POST /subscriptions/{{session:s1}}/resume" with:
      """
      {}
      """
    Then the Portaly call is refused with HTTP 409 and code "SUBSCRIPTION_CANCELED"
    When 32 days pass on the Portaly clock
    Then the merchant receives 1 verified "canceled" callback about checkout session "s1"

  Scenario: Renewals without a card fail, are retried a day later, and the third failure cancels
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the Portaly clock passes the next billing of checkout session "s1"
    Then the merchant receives 1 verified "payment.failed" callback about checkout session "s1"
    And the last "payment.failed" callback about checkout session "s1" has:
      | failureCount | 1     |
      | willCancel   | false |
      | nextRetryAt  | (any) |
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.status       | past_due |
      | data.failureCount | 1        |
    When 1 day passes on the Portaly clock
    Then the merchant receives 2 verified "payment.failed" callbacks about checkout session "s1"
    When 1 day passes on the Portaly clock
    Then the merchant receives 3 verified "payment.failed" callbacks about checkout session "s1"
    And the last "payment.failed" callback about checkout session "s1" has:
      | failureCount | 3    |
      | willCancel   | true |
    And the merchant receives 1 verified "canceled" callback about checkout session "s1"
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.status       | canceled         |
      | data.cancelReason | payment_failures |

  Scenario: The list filters by status, and an unknown status is refused
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the Portaly clock passes the next billing of checkout session "s1"
    And the merchant creates checkout session "s2" for plan "basic"
    And the merchant completes checkout session "s2"
    And the merchant requests "GET /subscriptions?status=past_due&customerEmail={{email}}"
    Then the Portaly answer has:
      | data.0.id     | {{session:s1}} |
      | data.0.status | past_due       |
      | data.1        | (absent)       |
    When the merchant requests "GET /subscriptions?status=active&customerEmail={{email}}"
    Then the Portaly answer has:
      | data.0.id | {{session:s2}} |
      | data.1    | (absent)       |
    When the merchant requests "GET /subscriptions?status=canceled&customerEmail={{email}}"
    Then the Portaly answer has:
      | data.0 | (absent) |
    When the merchant requests "GET /subscriptions?status=paused"
    Then the Portaly call is refused with HTTP 400 and code "VALIDATION_ERROR"
