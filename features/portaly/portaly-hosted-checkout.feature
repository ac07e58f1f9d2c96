@portaly @hosted-checkout
Feature: Portaly hosted checkout page, and the renewals of the card it keeps
  The buyer pays on the session's hosted page (/checkout/subscription/{sessionId}): the details form, the page's
  link to the TapPay card form, the card, and the pay URL the form sends the buyer back to with a prime. An approved
  card completes the checkout (checkout.completed, an order, a subscription that keeps the card token) and sends the
  buyer to successRedirectUrl?sessionId=…; a declined card fails the session without a callback; cancel on the page
  sends the buyer to cancelRedirectUrl. Renewals charge the kept card each period (payment.succeeded, one order each),
  a repeating code's cycles counted from the first charge; a card that declines renewals makes the subscription past
  due, retried a day later, and the third failure cancels it. A refund TapPay fails (the sandbox's injected server
  error) is tried three times, a day apart, then reported failed. The sessions vouch for the buyer's email (emailVerified), so no email code is
  asked; the cards are the TapPay sandbox's test cards (docs/sandbox/tappay.md).

  Scenario: Paying on the hosted page completes the checkout and keeps the subscription
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"customerEmail": "{{email}}", "emailVerified": true, "successRedirectUrl": "https://merchant.example/thanks"}
      """
    And the buyer pays checkout session "s1" on the hosted page with card "4242424242424242"
    Then the buyer is sent to "https://merchant.example/thanks?sessionId={{session:s1}}"
    And the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    And the last "checkout.completed" callback about checkout session "s1" has:
      | sessionId        | {{session:s1}} |
      | amount           | 300            |
      | customerEmail    | {{email}}      |
      | paymentReference | (any)          |
    And checkout session "s1" reads as "completed"
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.status        | active         |
      | data.planId        | {{plan:basic}} |
      | data.amount        | 300            |
      | data.customerEmail | {{email}}      |
      | data.nextBillingAt | (any)          |
    And the orders of checkout session "s1" are, newest first:
      | amount | status |
      | 300    | paid   |

  Scenario: A card declined at once fails the session and calls back nothing
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"customerEmail": "{{email}}", "emailVerified": true, "successRedirectUrl": "https://merchant.example/thanks"}
      """
    And the buyer pays checkout session "s1" on the hosted page with card "4000000000000002"
    Then the buyer sees the hosted page say "failed"
    And checkout session "s1" reads as "failed"
    And the merchant receives no callback about checkout session "s1"
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"

  Scenario: Cancel on the hosted page sends the buyer to the cancel URL
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"customerEmail": "{{email}}", "emailVerified": true, "cancelRedirectUrl": "https://merchant.example/cart"}
      """
    And the buyer cancels checkout session "s1" on the hosted page
    Then the buyer is sent to "https://merchant.example/cart"
    And checkout session "s1" reads as "canceled"
    And the merchant receives no callback about checkout session "s1"

  Scenario: Renewals charge the kept card each period, a two-cycle code on the first charge and the first renewal only
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    And the merchant has a discount code "two" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 10}, "duration": {"type": "repeating", "cycles": 2}}]}
      """
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"discountCode": "{{code:two}}", "customerEmail": "{{email}}", "emailVerified": true}
      """
    And the buyer pays checkout session "s1" on the hosted page with card "4242424242424242"
    Then the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    When the Portaly clock passes the next billing of checkout session "s1"
    Then the merchant receives 1 verified "payment.succeeded" callback about checkout session "s1"
    And the last "payment.succeeded" callback about checkout session "s1" has:
      | amount | 270 |
    When the Portaly clock passes the next billing of checkout session "s1"
    Then the merchant receives 2 verified "payment.succeeded" callbacks about checkout session "s1"
    And the last "payment.succeeded" callback about checkout session "s1" has:
      | amount | 300 |
    When the Portaly clock passes the next billing of checkout session "s1"
    Then the merchant receives 3 verified "payment.succeeded" callbacks about checkout session "s1"
    And the last "payment.succeeded" callback about checkout session "s1" has:
      | amount | 300 |
    And the orders of checkout session "s1" are, newest first:
      | amount | status |
      | 300    | paid   |
      | 300    | paid   |
      | 270    | paid   |
      | 270    | paid   |
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.status       | active |
      | data.failureCount | 0      |

  Scenario: A card that declines its renewals makes the subscription past due, retried daily, and the third failure cancels it
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"customerEmail": "{{email}}", "emailVerified": true}
      """
    And the buyer pays checkout session "s1" on the hosted page with card "4000000000000341"
    Then the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    When the Portaly clock passes the next billing of checkout session "s1"
    Then the merchant receives 1 verified "payment.failed" callback about checkout session "s1"
    And the last "payment.failed" callback about checkout session "s1" has:
      | failureCount | 1     |
      | willCancel   | false |
      | nextRetryAt  | (any) |
      | amount       | 300   |
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.status       | past_due |
      | data.failureCount | 1        |
    When 1 day passes on the Portaly clock
    Then the merchant receives 2 verified "payment.failed" callbacks about checkout session "s1"
    And the last "payment.failed" callback about checkout session "s1" has:
      | failureCount | 2     |
      | willCancel   | false |
    When 1 day passes on the Portaly clock
    Then the merchant receives 3 verified "payment.failed" callbacks about checkout session "s1"
    And the last "payment.failed" callback about checkout session "s1" has:
      | failureCount | 3    |
      | willCancel   | true |
    And the merchant receives 1 verified "canceled" callback about checkout session "s1"
    And the merchant receives 0 verified "payment.succeeded" callbacks about checkout session "s1"
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.status       | canceled         |
      | data.cancelReason | payment_failures |
    And the orders of checkout session "s1" are, newest first:
      | amount | status |
      | 300    | paid   |

  Scenario: A refund TapPay fails is tried three times a day apart and then reported failed
    Given the profile's Portaly merchant with its live key
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant's live key creates checkout session "s1" for plan "basic" with:
      """
      {"customerEmail": "{{email}}", "emailVerified": true}
      """
    And the buyer pays checkout session "s1" on the hosted page with card "4242424242424242"
    Then the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    Given TapPay fails every call at the sandbox
    When the merchant looks up the order of checkout session "s1"
    And the merchant's live key requests "POST /orders/{{order:s1}}/refund" with:
      """
      {"reason": "customer_requested"}
      """
    Then the Portaly answer is HTTP 202
    And the Portaly answer has:
      | data.status | refund |
    And the merchant receives 1 verified "canceled" callback about checkout session "s1"
    When 1 day passes on the Portaly clock
    And 1 day passes on the Portaly clock
    Then the merchant receives 1 verified "payment.refund_failed" callback about checkout session "s1"
    And the last "payment.refund_failed" callback about checkout session "s1" has:
      | orderId                | {{order:s1}} |
      | refundedAmount         | 0            |
      | refundFailedAt         | (any)        |
      | refundFailureRetryable | (any)        |
    When the merchant's live key requests "GET /orders/{{order:s1}}"
    Then the Portaly answer has:
      | data.status         | refund |
      | data.refundFailedAt | (any)  |
    When the merchant's live key requests "POST /orders/{{order:s1}}/refund" with:
      """
      {"reason": "customer_requested"}
      """
    Then the Portaly call is refused with HTTP 409 and code "REFUND_ATTEMPT_FAILED"
