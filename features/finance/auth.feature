@finance @auth
Feature: Authentication of the Finance routes
  Finance routes need the user's JWT (Authorization: Bearer, or the token cookie); the OpenAPI routes
  need an API key (X-API-Key); admin routes need an administrator. A missing or invalid credential is
  HTTP 401 with code 40100, a credential without the right is HTTP 403 with code 40300. Sessions are
  single-device: signing in again ends the previous token.

  Scenario Outline: A Finance route without credentials is refused
    When an anonymous client sends "<request>"
    Then the request fails with HTTP 401 and code 40100
    And the error message mentions "not authenticated"

    Examples:
      | request                                         |
      | GET /api/finance/balance                        |
      | POST /api/finance/consume                       |
      | POST /api/finance/preCheck                      |
      | POST /api/finance/records                       |
      | POST /api/consumption/records                   |
      | POST /api/consumption/summary                   |
      | GET /api/finance/servicePlan/list               |
      | POST /openapi/coin/consume                      |
      | POST /openapi/coin/preCheck                     |
      | GET /openapi/coin/balance?userId=u_demo_user    |

  Scenario: A user may send the token as a cookie
    Given a new user with 300 coins
    When the user, with the token in a cookie, sends "GET /api/finance/balance"
    Then the request succeeds
    And the response data has:
      | balance | 300 |

  Scenario: The agent engine may send its key as a bearer token
    Given a new user with 300 coins
    And the agent engine has an API key that may bill every user
    When the agent engine, with the key as a bearer token, sends "GET /openapi/coin/balance?userId={{userId}}"
    Then the request succeeds
    And the response data has:
      | balance | 300 |

  Scenario: A token the target never issued is refused
    When a client with a forged token sends "GET /api/finance/balance"
    Then the request fails with HTTP 401 and code 40100
    And the error message mentions "invalid or expired token"

  Scenario: An API key the target never issued is refused
    When a client with an unknown API key sends "GET /openapi/coin/balance?userId=u_demo_user"
    Then the request fails with HTTP 401 and code 40100
    And the error message mentions "invalid or revoked API key"

  Scenario Outline: A malformed API key is refused like an unknown one
    When an anonymous client sends "GET /openapi/coin/balance?userId=u_demo_user" with the API key "<key>"
    Then the request fails with HTTP 401 and code 40100
    And the error message mentions "invalid or revoked API key"

    Examples:
      | key                  |
      | hk_                  |
      | hk_abc               |
      | hk_abc_              |
      | hk__secret           |
      | sk_demo_secret       |
      | hk_{{257 x a}}_x     |

  Scenario: A user token does not open the OpenAPI routes
    Given a signed-in user with at least 10 coins
    When the user sends "POST /openapi/coin/consume" with body:
      """json
      {"userId": "{{userId}}", "idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED"}
      """
    Then the request fails with HTTP 401 and code 40100
    And the balance is unchanged

  Scenario: An API key does not open the user routes
    Given a signed-in user with at least 10 coins
    And the agent engine has an API key that may bill every user
    When the agent engine sends "GET /api/finance/balance"
    Then the request fails with HTTP 401 and code 40100

  Scenario: Signing in again ends the previous session
    Given a new user with 100 coins
    And the user has signed in again
    When the user's previous session sends "GET /api/finance/balance"
    Then the request fails with HTTP 401 and code 40100

  Scenario: The new session works after signing in again
    Given a new user with 100 coins
    And the user has signed in again
    When the user asks for the balance
    Then the request succeeds
    And the balance is 100 coins

  Scenario: A user cannot credit coins through the admin routes
    Given a signed-in user with at least 10 coins
    When the user sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{userId}}", "amount": 1000000, "idempotencyKey": "{{key}}"}
      """
    Then the request fails with HTTP 403 and code 40300
    And the balance is unchanged

  Scenario: A user cannot bill another user through the user routes
    Given a new user with 100 coins
    And another new user with 100 coins
    When the user sends "POST /api/finance/consume" with body:
      """json
      {"userId": "{{otherUserId}}", "idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED"}
      """
    Then the request fails with HTTP 403 and code 40300
    And the error message mentions "userId does not match the signed-in user"
    And the balance is 100 coins
    And the other user's balance is 100 coins

  Scenario: A user reads who is signed in
    Given a new user without coins
    When the user sends "GET /api/auth/me"
    Then the request succeeds
    And the response data has:
      | userId | {{userId}} |
      | role   | user       |

  Scenario: The health route answers without credentials
    When an anonymous client sends "GET /api/health"
    Then the request succeeds
    And the response data has:
      | status | UP |

  Scenario: A session unused for less than a day is still open
    Given a new user without coins
    When 23 hours pass
    And the user sends "GET /api/finance/balance"
    Then the request succeeds

  Scenario: A session unused for a day has ended
    Given a new user without coins
    When 24 hours pass
    And the user sends "GET /api/finance/balance"
    Then the request fails with HTTP 401 and code 40100

  Scenario: A session in use stays open past a day
    Given a new user without coins
    When the user reads the balance every 20 hours, 3 times
    And the user sends "GET /api/auth/me"
    Then the request succeeds

  Scenario: A token is refused after its expiry even while its session is in use
    The token's exp is 7 days after sign-in, and it is refused from that moment; the session, last used
    12 hours before, would otherwise stay open for another 12 hours.
    Given a new user without coins
    When the user reads the balance every 12 hours, 13 times
    And 12 hours pass
    And the user sends "GET /api/finance/balance"
    Then the request fails with HTTP 401 and code 40100
