@finance @admin
Feature: Operator routes
  Admin routes need an administrator's JWT; a user's token is refused with HTTP 403 and code 40300.
  POST /api/admin/finance/credit credits coins once per user and idempotencyKey: the same key with the
  same amount answers the first credit again (replayed: true), the same key with another amount is a
  conflict (HTTP 409, code 40900). GET /api/admin/users, GET /api/admin/apiKeys and
  GET /api/admin/ledger/audit answer for an administrator.

  Scenario: Repeating a credit with the same key answers the first credit and credits once
    Given a new user without coins
    When the admin sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{userId}}", "amount": 100, "idempotencyKey": "{{key}}"}
      """
    Then the request succeeds
    And the response data has:
      | replayed | false |
    When the admin sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{userId}}", "amount": 100, "idempotencyKey": "{{key}}"}
      """
    Then the request succeeds
    And the response data has:
      | userId        | {{userId}} |
      | amount        | 100        |
      | balanceBefore | 0          |
      | balanceAfter  | 100        |
      | replayed      | true       |
    And the balance is 100 coins

  Scenario: Reusing a credit key with another amount is a conflict
    Given a new user without coins
    When the admin sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{userId}}", "amount": 100, "idempotencyKey": "{{key}}"}
      """
    And the admin sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{userId}}", "amount": 200, "idempotencyKey": "{{key}}"}
      """
    Then the request fails with HTTP 409 and code 40900
    And the error message mentions "was already used with a different amount"
    And the balance is 100 coins

  Scenario Outline: An administrator lists users and API keys and audits the ledger
    When the admin sends "<request>"
    Then the request succeeds

    Examples:
      | request                   |
      | GET /api/admin/users      |
      | GET /api/admin/apiKeys    |
      | GET /api/admin/ledger/audit |

  @auth
  Scenario Outline: A user cannot use the operator routes
    Given a signed-in user
    When the user sends "<request>"
    Then the request fails with HTTP 403 and code 40300

    Examples:
      | request                     |
      | GET /api/admin/users        |
      | GET /api/admin/apiKeys      |
      | GET /api/admin/ledger/audit |

  Scenario: A key the admin creates for all users bills any user, and names its owner
    Given a new user with 100 coins
    And the agent engine has a new API key the admin created for all users
    When the agent engine consumes a fixed charge of "report-export"
    Then 50 coins are charged
    And the balance is 50 coins

  @validation
  Scenario Outline: An API key that names no one it may bill, or no name, is refused
    Given a new user without coins
    When the admin sends "POST /api/admin/apiKeys" with body:
      """json
      <body>
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "<field>"

    Examples:
      | field          | body                                                                   |
      | name           | {"allUsers": true}                                                     |
      | name           | {"name": "", "allUsers": true}                                         |
      | name           | {"name": "{{101 x n}}", "allUsers": true}                              |
      | allUsers       | {"name": "no users"}                                                   |
      | allUsers       | {"name": "no users", "allUsers": false, "allowedUserIds": []}          |
      | allowedUserIds | {"name": "stranger", "allowedUserIds": ["u_nobody_{{key}}"]}           |
      | ownerUserId    | {"name": "orphan", "ownerUserId": "u_nobody_{{key}}", "allUsers": true} |

  Scenario: Revoking a key that does not exist is not found
    When the admin sends "POST /api/admin/apiKeys/k_nobody_{{key}}/revoke"
    Then the request fails with HTTP 404 and code 40400
    And the error message mentions "not found"

  Scenario: Credit keys belong to the user credited
    Given a new user without coins
    And another new user with 0 coins
    When the admin sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{userId}}", "amount": 100, "idempotencyKey": "{{key}}"}
      """
    And the admin sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{otherUserId}}", "amount": 100, "idempotencyKey": "{{key}}"}
      """
    Then the request succeeds
    And the response data has:
      | replayed | false |
    And the balance is 100 coins
    And the other user's balance is 100 coins

  Scenario: Repeating a credit after another credit replays it without crediting again
    Given a new user without coins
    When the admin sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{userId}}", "amount": 100, "idempotencyKey": "{{key:first}}"}
      """
    And the admin sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{userId}}", "amount": 30, "idempotencyKey": "{{key:second}}"}
      """
    And the admin sends "POST /api/admin/finance/credit" with body:
      """json
      {"userId": "{{userId}}", "amount": 100, "idempotencyKey": "{{key:first}}"}
      """
    Then the request succeeds
    And the response data has:
      | amount        | 100  |
      | balanceBefore | 0    |
      | balanceAfter  | 100  |
      | replayed      | true |
    And the balance is 130 coins

  @validation
  Scenario Outline: An invalid credit is refused
    Given a new user without coins
    When the admin sends "POST /api/admin/finance/credit" with body:
      """json
      <body>
      """
    Then the request fails with HTTP <status> and code <code>
    And the error message mentions "<field>"
    And the balance is 0 coins

    Examples:
      | field          | status | code  | body                                                                                   |
      | userId         | 400    | 40000 | {"amount": 100, "idempotencyKey": "{{key}}"}                                           |
      | amount         | 400    | 40000 | {"userId": "{{userId}}", "amount": 0, "idempotencyKey": "{{key}}"}                     |
      | amount         | 400    | 40000 | {"userId": "{{userId}}", "amount": 1000000000001, "idempotencyKey": "{{key}}"}         |
      | idempotencyKey | 400    | 40000 | {"userId": "{{userId}}", "amount": 100}                                                |
      | reason         | 400    | 40000 | {"userId": "{{userId}}", "amount": 100, "idempotencyKey": "{{key}}", "reason": "{{201 x r}}"} |
      | not found      | 404    | 40400 | {"userId": "u_nobody_{{key}}", "amount": 100, "idempotencyKey": "{{key}}"}             |
