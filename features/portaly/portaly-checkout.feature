@portaly @checkout
Feature: Portaly checkout sessions
  POST /checkout-sessions creates a hosted checkout for a plan of the key's profile, in the key's mode. A fixed plan
  charges its amount (a sent amount is ignored); a dynamic plan charges the amount sent, which it requires. A discount
  code is applied at creation (appliedDiscount, and the amount after it) or refused with 400 INVALID_DISCOUNT_CODE and
  a reason. GET answers the nested session object, without metadata or completion time. A session expires unpaid.

  Scenario: A fixed plan's session charges the plan's amount and a dynamic plan's the amount sent
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    And the merchant has a one-time dynamic plan "tip"
    When the merchant creates checkout session "fixed" for plan "basic" with:
      """
      {"amount": 999}
      """
    Then the Portaly answer has:
      | data.sessionId     | {{session:fixed}} |
      | data.status        | checkout_ready    |
      | data.amount        | 300               |
      | data.checkoutUrl   | (any)             |
      | data.checkoutToken | {{token:fixed}}   |
      | data.expiresAt     | (any)             |
    When the merchant creates checkout session "dynamic" for plan "tip" with:
      """
      {"amount": 1234}
      """
    Then the Portaly answer has:
      | data.amount | 1234 |

  Scenario: A session reads back as a nested object without metadata or completion time
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"merchantOrderNumber": "order-{{run}}", "customerEmail": "{{email}}", "customerName": "Ann", "metadata": {"cart": "c-{{run}}"}}
      """
    And the merchant reads checkout session "s1"
    Then the Portaly answer has:
      | data.id                  | {{session:s1}} |
      | data.sessionId           | {{session:s1}} |
      | data.mode                | test           |
      | data.status              | checkout_ready |
      | data.merchantOrderNumber | order-{{run}}  |
      | data.amount              | 300            |
      | data.currency            | TWD            |
      | data.billingPeriod       | monthly        |
      | data.customer.email      | {{email}}      |
      | data.customer.name       | Ann            |
      | data.plan.id             | {{plan:basic}} |
      | data.plan.amount         | 300            |
      | data.metadata            | (absent)       |
      | data.completedAt         | (absent)       |

  Scenario: An unknown plan, an inactive plan and another merchant's plan are refused
    Given a Portaly merchant
    And another Portaly merchant
    And the merchant has an inactive monthly plan "old" of 300
    And the other merchant has a monthly plan "theirs" of 300
    When the merchant creates checkout session "s1" for plan "plan_unknown"
    Then the Portaly call is refused with HTTP 404 and code "PLAN_NOT_FOUND"
    When the merchant creates checkout session "s2" for plan "old"
    Then the Portaly call is refused with HTTP 422 and code "PLAN_INACTIVE"
    When the merchant creates checkout session "s3" for plan "theirs"
    Then the Portaly call is refused with HTTP 403 and code "FORBIDDEN"

  Scenario: A dynamic plan without an amount, and an empty profitSharingId, are invalid
    Given a Portaly merchant
    And the merchant has a one-time dynamic plan "tip"
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "tip"
    Then the Portaly call is refused as invalid, naming "amount"
    When the merchant creates checkout session "s2" for plan "basic" with:
      """
      {"profitSharingId": ""}
      """
    Then the Portaly call is refused as invalid, naming "profitSharingId"

  Scenario: A discount code is applied at creation and the session charges the amount after it
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    And the merchant has a discount code "ten" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 10}}]}
      """
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"discountCode": "c{{run}}-ten"}
      """
    Then the Portaly answer has:
      | data.amount                          | 270            |
      | data.appliedDiscount.codeId          | {{codeId:ten}} |
      | data.appliedDiscount.code            | {{code:ten}}   |
      | data.appliedDiscount.originalAmount  | 300            |
      | data.appliedDiscount.discountedAmount | 30            |
      | data.appliedDiscount.finalAmount     | 270            |
      | data.appliedDiscount.source          | manual         |

  Scenario Outline: A code that does not apply is refused with its reason
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    And the merchant has a monthly plan "other" of 300
    And the merchant has a discount code "code" with:
      """
      <code>
      """
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"discountCode": "<sent>"}
      """
    Then the Portaly call is refused with HTTP 400 and code "INVALID_DISCOUNT_CODE"
    And the Portaly answer has:
      | reason | <reason> |

    Examples:
      | reason                    | sent             | code                                                                                                                                  |
      | NOT_FOUND                 | NONE{{run}}      | {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "free"}}]}                                                             |
      | DISABLED                  | {{code:code}}    | {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "free"}}], "status": "disabled"}                                       |
      | NOT_APPLICABLE_TO_PLAN    | {{code:code}}    | {"rules": [{"appliesTo": {"type": "specific", "planIds": ["{{plan:other}}"]}, "discount": {"type": "free"}}]}                          |
      | OUTSIDE_REDEMPTION_WINDOW | {{code:code}}    | {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "free"}}], "redeemFrom": "2090-01-01T00:00:00Z"}                       |
      | CURRENCY_MISMATCH         | {{code:code}}    | {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "fixed", "value": 50, "currency": "USD"}}]}                             |

  Scenario: A code's total cap counts completed checkouts
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    And the merchant has a discount code "once" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 50}}], "maxRedemptions": 1}
      """
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"discountCode": "{{code:once}}"}
      """
    And the merchant completes checkout session "s1"
    Then the Portaly answer has:
      | data.status | completed |
    When the merchant creates checkout session "s2" for plan "basic" with:
      """
      {"discountCode": "{{code:once}}"}
      """
    Then the Portaly call is refused with HTTP 400 and code "INVALID_DISCOUNT_CODE"
    And the Portaly answer has:
      | reason | MAX_REDEMPTIONS_REACHED |

  Scenario: A code's per-customer cap refuses a verified email at creation and an unverified one at payment
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    And the merchant has a discount code "mine" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 50}}], "maxRedemptionsPerCustomer": 1}
      """
    When the merchant creates checkout session "s1" for plan "basic" with:
      """
      {"discountCode": "{{code:mine}}", "customerEmail": "{{email}}", "emailVerified": true}
      """
    And the merchant completes checkout session "s1"
    Then the Portaly answer has:
      | data.status | completed |
    When the merchant creates checkout session "s2" for plan "basic" with:
      """
      {"discountCode": "{{code:mine}}", "customerEmail": "{{email}}", "emailVerified": true}
      """
    Then the Portaly call is refused with HTTP 400 and code "INVALID_DISCOUNT_CODE"
    And the Portaly answer has:
      | reason | PER_CUSTOMER_LIMIT_REACHED |
    When the merchant creates checkout session "s3" for plan "basic" with:
      """
      {"discountCode": "{{code:mine}}", "customerEmail": "{{email}}"}
      """
    Then the Portaly answer has:
      | data.amount | 150 |
    When the merchant completes checkout session "s3"
    Then the Portaly call is refused with HTTP 400 and code "INVALID_DISCOUNT_CODE"
    And the Portaly answer has:
      | reason | PER_CUSTOMER_LIMIT_REACHED |

  Scenario: An unpaid session expires and can no longer be completed
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the Portaly clock passes the expiry of checkout session "s1"
    Then checkout session "s1" reads as "expired"
    When the merchant completes checkout session "s1"
    Then the Portaly call is refused with HTTP 409 and code "SESSION_EXPIRED"

  Scenario: The completion needs the session's token
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant requests "POST /checkout-sessions/{{session:s1}}/complete" with:
      """
      {"checkoutToken": "wrong-{{run}}", "status": "completed", "customerEmail": "{{email}}"}
      """
    Then the Portaly call is refused with HTTP 403 and code "INVALID_CHECKOUT_TOKEN"
    And checkout session "s1" reads as "checkout_ready"

  Scenario: A manual completion for another amount, or of a session already ended, is refused
    Given a Portaly merchant
    And the merchant has a one-time plan "pack" of 300
    When the merchant creates checkout session "s1" for plan "pack"
    And the merchant requests "POST /checkout-sessions/{{session:s1}}/complete" with:
      """
      {"checkoutToken": "{{token:s1}}", "status": "completed", "customerEmail": "{{email}}", "paidAmount": 299}
      """
    Then the Portaly call is refused with HTTP 400 and code "PAID_AMOUNT_MISMATCH"
    And checkout session "s1" reads as "checkout_ready"
    When the merchant records checkout session "s1" as canceled
    And the merchant requests "POST /checkout-sessions/{{session:s1}}/complete" with:
      """
      {"checkoutToken": "{{token:s1}}", "status": "completed", "customerEmail": "{{email}}", "paidAmount": 300}
      """
    Then the Portaly call is refused with HTTP 409 and code "SESSION_NOT_OPEN"
    And checkout session "s1" reads as "canceled"
