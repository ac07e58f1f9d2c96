@portaly @auth
Feature: Portaly keys, modes and the operator route
  Every merchant route takes "Authorization: Bearer <key>"; without a header, under another scheme, or with an unknown
  key it is refused 401 UNAUTHORIZED in Portaly's envelope. The key gives the profile and the mode: a test key's
  checkout sessions are invisible to the live key. Keys are made by the operator route (the reference's stand-in for
  the dashboard), which takes the operator token instead of a key.

  Scenario Outline: Every merchant route refuses a request without a valid key
    Given a Portaly merchant
    Then "<route>" is refused without a valid key

    Examples:
      | route                                                |
      | GET /config                                          |
      | PUT /config                                          |
      | POST /config/images                                  |
      | GET /plans                                           |
      | POST /plans                                          |
      | GET /plans/plan_unknown                              |
      | PUT /plans/plan_unknown                              |
      | POST /plans/plan_unknown/images                      |
      | GET /discount-codes                                  |
      | POST /discount-codes                                 |
      | GET /discount-codes/lookup?code=ANY                  |
      | GET /discount-codes/code_unknown                     |
      | PUT /discount-codes/code_unknown                     |
      | DELETE /discount-codes/code_unknown                  |
      | POST /checkout-sessions                              |
      | GET /checkout-sessions/session_unknown               |
      | POST /checkout-sessions/session_unknown/complete     |
      | POST /checkout-sessions/session_unknown/retry-callback |
      | GET /checkout-sessions/session_unknown/callbacks     |
      | PUT /signup-ref-codes                                |
      | GET /subscriptions                                   |
      | GET /subscriptions/session_unknown                   |
      | POST /subscriptions/session_unknown/cancel           |
      | POST /subscriptions/session_unknown/resume           |
      | POST /portal-sessions                                |
      | GET /orders                                          |
      | GET /orders/order_unknown                            |
      | POST /orders/order_unknown/refund                    |
      | GET /invoices                                        |
      | GET /api/creator-email/templates                     |
      | PUT /api/creator-email/templates/welcome_paid        |
      | GET /api/creator-email/outbox                        |

  Scenario: A test key's checkout session is invisible to the live key of the same merchant
    Given a Portaly merchant with a live key
    And the merchant has a monthly plan "basic" of 300
    When the merchant creates checkout session "s1" for plan "basic"
    And the merchant's live key requests "GET /checkout-sessions/{{session:s1}}"
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"
    When the merchant's live key requests "GET /checkout-sessions/{{session:s1}}/callbacks"
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"
    When the merchant's live key requests "POST /checkout-sessions/{{session:s1}}/complete" with:
      """
      {"checkoutToken": "{{token:s1}}", "status": "completed", "customerEmail": "{{email}}"}
      """
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"
    When the merchant requests "GET /checkout-sessions/{{session:s1}}"
    Then the Portaly answer has:
      | data.sessionId | {{session:s1}} |
      | data.mode      | test           |

  Scenario: Plans belong to the merchant, the same for its live and its test key
    Given a Portaly merchant with a live key
    And the merchant has a monthly plan "basic" of 300
    When the merchant's live key requests "GET /plans/{{plan:basic}}"
    Then the Portaly answer has:
      | data.id        | {{plan:basic}} |
      | data.profileId | {{profileId}}  |

  Scenario: The operator route makes a key that works for its profile
    Given a Portaly merchant
    When the operator requests "POST /api-keys" with:
      """
      {"profileId": "conf-{{run}}-made", "mode": "test"}
      """
    Then the Portaly answer is HTTP 201
    And the Portaly answer has:
      | data.apiKey.profileId | conf-{{run}}-made |
      | data.apiKey.mode      | test              |
      | data.apiKey.scope     | full              |
      | data.apiKey.status    | active            |
      | data.secret           | (any)             |
    And the new key in the answer works for its profile

  Scenario: The operator route refuses a merchant key, a bad mode or scope, and a missing profile
    Given a Portaly merchant
    When the merchant requests "POST /api-keys" with:
      """
      {"profileId": "{{profileId}}"}
      """
    Then the Portaly call is refused with HTTP 401 and code "UNAUTHORIZED"
    When the operator requests "POST /api-keys" with:
      """
      {"profileId": "{{profileId}}", "mode": "LIVE"}
      """
    Then the Portaly call is refused with HTTP 400 and code "INVALID_MODE"
    When the operator requests "POST /api-keys" with:
      """
      {"profileId": "{{profileId}}", "scope": "admin"}
      """
    Then the Portaly call is refused with HTTP 400 and code "INVALID_SCOPE"
    When the operator requests "POST /api-keys" with:
      """
      {"mode": "test"}
      """
    Then the Portaly call is refused as invalid, naming "profileId"
