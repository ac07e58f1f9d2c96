@portaly @portal
Feature: Portaly portal sessions: the subscriber's page to view, cancel and resume
  A merchant asks for a portal session for a subscriber (an email, or one subscription) with a returnUrl and hands its
  portalUrl over. The link works without a key for 30 minutes: it lists the subscriptions with a Cancel or Resume
  button, a POST form carrying the link's token and the subscription, which cancels at the period end or resumes
  exactly as the API does (with the same callbacks), and links back to the returnUrl. A wrong token is refused with
  403 and changes nothing; an expired link answers 410.

  Scenario: A portal session needs a subscriber of the key's own and an absolute returnUrl
    Given a Portaly merchant with a live key
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant requests "POST /portal-sessions" with:
      """
      {"returnUrl": "https://shop.example/account"}
      """
    Then the Portaly call is refused with HTTP 400 and code "VALIDATION_ERROR"
    When the merchant requests "POST /portal-sessions" with:
      """
      {"subscriptionId": "{{session:s1}}"}
      """
    Then the Portaly call is refused as invalid, naming "returnUrl"
    When the merchant requests "POST /portal-sessions" with:
      """
      {"subscriptionId": "{{session:s1}}", "returnUrl": "/account"}
      """
    Then the Portaly call is refused as invalid, naming "returnUrl"
    When the merchant's live key requests "POST /portal-sessions" with:
      """
      {"subscriptionId": "{{session:s1}}", "returnUrl": "https://shop.example/account"}
      """
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"
    When the merchant requests "POST /portal-sessions" with:
      """
      {"customerEmail": "{{email}}", "returnUrl": "https://shop.example/account"}
      """
    Then the Portaly answer has:
      | data.portalSessionId | (any) |
      | data.portalUrl       | (any) |
      | data.expiresAt       | (any) |

  Scenario: The subscriber cancels at the period end on the portal page and resumes there
    Given the profile's Portaly merchant
    And the merchant receives callbacks
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant opens a portal session for checkout session "s1" returning to "https://shop.example/account"
    And the subscriber opens the portal link
    Then the portal page is HTTP 200 and offers to cancel checkout session "s1"
    And the portal page links back to "https://shop.example/account"
    When the subscriber presses cancel for checkout session "s1" on the portal page
    Then the portal page is HTTP 200 and offers to resume checkout session "s1"
    And the merchant receives 1 verified "cancel_requested" callback about checkout session "s1"
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.status            | active     |
      | data.cancelAtPeriodEnd | true       |
      | data.cancelEffectiveAt | (any)      |
      | data.cancelRequestedBy | subscriber |
    When the subscriber presses resume for checkout session "s1" on the portal page
    Then the portal page is HTTP 200 and offers to cancel checkout session "s1"
    And the merchant receives 2 verified "active" callbacks about checkout session "s1"
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.cancelAtPeriodEnd | false |
      | data.cancelEffectiveAt | null  |

  Scenario: A wrong token is refused and changes nothing, and the link expires after 30 minutes
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant completes checkout session "s1"
    And the merchant opens a portal session for checkout session "s1" returning to "https://shop.example/account"
    And the subscriber opens the portal link with a wrong token
    Then the portal page is HTTP 403
    When the subscriber opens the portal link
    And the subscriber presses cancel for checkout session "s1" on the portal page with a wrong token
    Then the portal page is HTTP 403
    When the merchant requests "GET /subscriptions/{{session:s1}}"
    Then the Portaly answer has:
      | data.cancelAtPeriodEnd | false |
    When 31 minutes pass on the Portaly clock
    And the subscriber opens the portal link
    Then the portal page is HTTP 410
