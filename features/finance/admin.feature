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
