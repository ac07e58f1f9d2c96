@portaly @callbacks
Feature: Portaly checkout callbacks, as the merchant receives them
  A completed checkout sends creator_subscription.checkout.completed to the session's callbackUrl, signed v1 with the
  callback secret of the key that created it: the runner verifies every callback it receives (the three headers, a
  fresh ISO timestamp with milliseconds, the signature over stableJson, the header's event equal to the body's, the
  key's mode) and that a checkout calls back once per session unless the merchant asks again. Failed and canceled
  checkouts call back nothing (the seed's rule: found by polling) unless the merchant's config turns
  creator_subscription.checkout.failed on (the later contract's behaviour; the reference's sendCheckoutFailedCallbacks).
  A delivery that is not answered 2xx is retried (the reference: one minute later, then on a backoff).

  Scenario: A completed checkout calls back once with the session's terms
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a one-time plan "pack" of 300
    And the merchant has a discount code "ten" with:
      """
      {"rules": [{"appliesTo": {"type": "all"}, "discount": {"type": "percent", "value": 10}}]}
      """
    When the merchant creates checkout session "s1" for plan "pack" with:
      """
      {"discountCode": "{{code:ten}}", "merchantOrderNumber": "order-{{run}}", "metadata": {"cart": "c-{{run}}", "note": "A & B <ok> 夏季", "Zone": "upper-case first by code point", "apple": "first by localeCompare"}}
      """
    And the merchant completes checkout session "s1"
    Then the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    And the last "checkout.completed" callback about checkout session "s1" has:
      | event                        | creator_subscription.checkout.completed |
      | sessionId                    | {{session:s1}}                          |
      | subscriptionId               | {{session:s1}}                          |
      | profileId                    | {{profileId}}                           |
      | planId                       | {{plan:pack}}                           |
      | mode                         | test                                    |
      | status                       | completed                               |
      | merchantOrderNumber          | order-{{run}}                           |
      | amount                       | 270                                     |
      | currency                     | TWD                                     |
      | customerEmail                | {{email}}                               |
      | metadata.cart                | c-{{run}}                               |
      | metadata.note                | A & B <ok> 夏季                         |
      | metadata.Zone                | upper-case first by code point          |
      | appliedDiscount.code         | {{code:ten}}                            |
      | appliedDiscount.finalAmount  | 270                                     |
      | completedAt                  | (any)                                   |
      | paymentReference             | (any)                                   |

  Scenario: Completing a checkout again answers it again and calls back no more
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a one-time plan "pack" of 300
    When the merchant creates checkout session "s1" for plan "pack"
    And the merchant completes checkout session "s1"
    Then the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    When the merchant completes checkout session "s1" again
    Then the Portaly answer has:
      | data.status | completed |
    And the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"

  Scenario Outline: A failed or canceled checkout calls back nothing
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a one-time plan "pack" of 300
    When the merchant creates checkout session "s1" for plan "pack"
    And the merchant records checkout session "s1" as <outcome>
    Then the Portaly answer has:
      | data.status | <outcome> |
    And the merchant receives no callback about checkout session "s1"
    And checkout session "s1" reads as "<outcome>"

    Examples:
      | outcome  |
      | failed   |
      | canceled |

  Scenario: Asked again, the checkout callback comes again with the same payload, freshly signed
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a one-time plan "pack" of 300
    When the merchant creates checkout session "s1" for plan "pack"
    And the merchant completes checkout session "s1"
    Then the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    When the merchant asks for the callback of checkout session "s1" again
    Then the Portaly answer has:
      | data.sessionId    | {{session:s1}}                          |
      | data.event        | creator_subscription.checkout.completed |
      | data.acknowledged | true                                    |
    And the merchant receives 2 verified "checkout.completed" callbacks about checkout session "s1"
    And every "checkout.completed" callback about checkout session "s1" carries the same payload, each with its own timestamp

  Scenario: A callback answered with HTTP 500 is sent again a minute later
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant's endpoint answers the next callback with HTTP 500
    And the merchant has a one-time plan "pack" of 300
    When the merchant creates checkout session "s1" for plan "pack"
    And the merchant completes checkout session "s1"
    Then the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    When 61 seconds pass on the Portaly clock
    Then the merchant receives 2 verified "checkout.completed" callbacks about checkout session "s1"
    And every "checkout.completed" callback about checkout session "s1" carries the same payload, each with its own timestamp

  Scenario: A recurring plan's checkout also reports the subscription active
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    Then the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    And the merchant receives 1 verified "active" callback about checkout session "s1"
    And the last "active" callback about checkout session "s1" has:
      | subscriptionId | {{session:s1}} |
      | status         | active         |
      | billingPeriod  | monthly        |
      | mode           | test           |

  Scenario: A live checkout calls back in live mode, signed with the live key's secret
    Given the profile's Portaly merchant with its live key
    And the merchant receives callbacks
    And the merchant has a one-time plan "pack" of 300
    When the merchant's live key creates checkout session "s1" for plan "pack"
    And the merchant completes checkout session "s1"
    Then the merchant receives 1 verified "checkout.completed" callback about checkout session "s1"
    And the last "checkout.completed" callback about checkout session "s1" has:
      | mode | live |

  Scenario: A merchant whose config turns checkout.failed on is called back about a failed checkout
    Given a new Portaly merchant
    And the merchant receives callbacks
    And the merchant has a one-time plan "pack" of 300
    When the merchant requests "PUT /config" with:
      """
      {"sendCheckoutFailedCallbacks": true}
      """
    Then the Portaly answer has:
      | data.sendCheckoutFailedCallbacks | true |
    When the merchant creates checkout session "s1" for plan "pack" with:
      """
      {"metadata": {"campaign": "夏季"}}
      """
    And the merchant requests "POST /checkout-sessions/{{session:s1}}/complete" with:
      """
      {"checkoutToken": "{{token:s1}}", "status": "failed", "failureReason": "card declined", "paymentMethod": "atm", "paymentReference": "ref-{{run}}", "customerEmail": "{{email}}"}
      """
    Then the Portaly answer has:
      | data.status | failed |
    And the merchant receives 1 verified "checkout.failed" callback about checkout session "s1"
    And the last "checkout.failed" callback about checkout session "s1" has:
      | event                     | creator_subscription.checkout.failed |
      | sessionId                 | {{session:s1}}                       |
      | subscriptionId            | (absent)                             |
      | profileId                 | {{profileId}}                        |
      | planId                    | {{plan:pack}}                        |
      | planName                  | pack {{run}}                         |
      | mode                      | test                                 |
      | amount                    | 300                                  |
      | currency                  | TWD                                  |
      | customerEmail             | {{email}}                            |
      | failureReason             | card declined                        |
      | failedAt                  | (any)                                |
      | metadata.campaign         | 夏季                                 |
      | metadata.paymentMethod    | atm                                  |
      | metadata.paymentReference | ref-{{run}}                          |
      | metadata.paidAmount       | 300                                  |
      | metadata.failureReason    | card declined                        |

  Scenario: A session without a checkout callback cannot have it sent again
    Given a Portaly merchant
    And the merchant has a one-time plan "pack" of 300
    When the merchant creates checkout session "s1" for plan "pack"
    And the merchant asks for the callback of checkout session "s1" again
    Then the Portaly call is refused with HTTP 409 and code "NO_CALLBACK"
