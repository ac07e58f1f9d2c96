@portaly @orders
Feature: Portaly orders and refunds
  Each successful charge writes a paid order in the key's mode. Refunds are full refunds of live orders: a test key is
  refused 409 TEST_MODE_REFUND_UNSUPPORTED, a partial amount 400 PARTIAL_REFUND_NOT_SUPPORTED; an accepted refund is
  202 with the order in status refund, asking again is 200, and payment.refunded follows (a refund of the latest charge
  also cancels the subscription, the reference's choice).

  Scenario: A completed checkout writes a paid order, listed in the key's mode and filtered by status and plan
    Given a Portaly merchant with a live key
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant looks up the order of checkout session "s1"
    And the merchant requests "GET /orders/{{order:s1}}"
    Then the Portaly answer has:
      | data.id                        | {{order:s1}}   |
      | data.status                    | paid           |
      | data.amount                    | 300            |
      | data.currency                  | TWD            |
      | data.email                     | {{email}}      |
      | data.creatorSubscriptionId     | {{session:s1}} |
      | data.creatorSubscriptionPlanId | {{plan:basic}} |
      | data.paidAt                    | (any)          |
    When the merchant requests "GET /orders?planId={{plan:basic}}&status=paid,refund"
    Then the Portaly answer has:
      | data.0.id | {{order:s1}} |
      | data.1    | (absent)     |
    When the merchant's live key requests "GET /orders/{{order:s1}}"
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"
    When the merchant requests "GET /orders?status=paid,"
    Then the Portaly call is refused as invalid, naming "status"
    When the merchant requests "GET /orders?startDate=2026-12-02&endDate=2026-12-01"
    Then the Portaly call is refused with HTTP 400 and code "VALIDATION_ERROR"

  Scenario: A test key cannot refund
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant looks up the order of checkout session "s1"
    And the merchant requests "POST /orders/{{order:s1}}/refund" with:
      """
      {"reason": "customer_requested"}
      """
    Then the Portaly call is refused with HTTP 409 and code "TEST_MODE_REFUND_UNSUPPORTED"

  Scenario: A live order is refunded in full once, and payment.refunded follows
    Given the profile's Portaly merchant with its live key
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant's live key creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant looks up the order of checkout session "s1"
    And the merchant's live key requests "POST /orders/{{order:s1}}/refund" with:
      """
      {"reason": "customer_requested", "amount": 100}
      """
    Then the Portaly call is refused with HTTP 400 and code "PARTIAL_REFUND_NOT_SUPPORTED"
    When the merchant's live key requests "POST /orders/{{order:s1}}/refund" with:
      """
      {"reason": "customer_requested", "reasonNote": "changed their mind"}
      """
    Then the Portaly answer is HTTP 202
    And the Portaly answer has:
      | data.id                | {{order:s1}} |
      | data.status            | refund       |
      | data.refundRequestedAt | (any)        |
    When the merchant's live key requests "POST /orders/{{order:s1}}/refund" with:
      """
      {"reason": "customer_requested"}
      """
    Then the Portaly answer is HTTP 200
    And the merchant receives 1 verified "payment.refunded" callback about checkout session "s1"
    And the last "payment.refunded" callback about checkout session "s1" has:
      | orderId        | {{order:s1}} |
      | mode           | live         |
      | refundedAmount | 300          |
      | refundReason   | customer_requested |
    And the merchant receives 1 verified "canceled" callback about checkout session "s1"

  Scenario: An integration-scope key reads orders but cannot refund them
    Given a Portaly merchant with a live key
    And the merchant has an integration-scope live key
    And the merchant has a monthly plan "basic" of 300
    When the merchant's live key creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant looks up the order of checkout session "s1"
    And the merchant's integration key requests "GET /orders/{{order:s1}}"
    Then the Portaly answer has:
      | data.id     | {{order:s1}} |
      | data.status | paid         |
    When the merchant's integration key requests "POST /orders/{{order:s1}}/refund" with:
      """
      {"reason": "customer_requested"}
      """
    Then the Portaly call is refused with HTTP 403 and code "KEY_SCOPE_FORBIDDEN"
    When the merchant's live key requests "GET /orders/{{order:s1}}"
    Then the Portaly answer has:
      | data.status            | paid |
      | data.refundRequestedAt | null |

  Scenario: Invoices record every charge attempt, successful or failed, in the key's mode
    Given a Portaly merchant with a live key
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant creates checkout session "s2" for plan "basic"
    And the merchant records checkout session "s2" as failed
    And the merchant creates checkout session "s3" for plan "basic"
    And the merchant requests "GET /invoices"
    Then the Portaly answer is HTTP 200
    And the answer's invoice record of checkout session "s1" has:
      | status                | SUCCESS           |
      | amount                | 300               |
      | currency              | TWD               |
      | mode                  | test              |
      | planId                | {{plan:basic}}    |
      | profileId             | {{profileId}}     |
      | creatorSubscriptionId | {{session:s1}}    |
      | customerEmail         | {{email}}         |
      | invoiceStatus         | not_applicable    |
      | invoice               | null              |
      | createdAt             | (any)             |
    And the answer's invoice record of checkout session "s2" has:
      | status | FAILED |
      | amount | 300    |
    And the answer lists 0 invoice records of checkout session "s3"
    When the merchant's live key requests "GET /invoices"
    Then the answer lists 0 invoice records of checkout session "s1"

  Scenario: An order of nothing cannot be refunded
    Given a Portaly merchant with a live key
    And the merchant has a one-time plan "pack" of 300
    And the merchant has a discount code "free" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "free"}}]}
      """
    When the merchant's live key creates checkout session "s1" for plan "pack" with:
      """
      {"discountCode": "{{code:free}}"}
      """
    And the merchant completes checkout session "s1"
    And the merchant looks up the order of checkout session "s1"
    And the merchant's live key requests "POST /orders/{{order:s1}}/refund" with:
      """
      {"reason": "customer_requested"}
      """
    Then the Portaly call is refused with HTTP 409 and code "ZERO_AMOUNT_NOT_REFUNDABLE"
