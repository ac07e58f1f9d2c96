@finance @openapi
Feature: OpenAPI coin consumption by API key
  The agent engine uses API key authentication (X-API-Key) to consume credits programmatically:
  POST /openapi/coin/consume and POST /openapi/coin/preCheck take the user's bodies plus the userId
  being billed; GET /openapi/coin/balance?userId= reads a balance. A key bills only the users it may.

  Scenario: The agent engine consumes coins on behalf of a user
    Given a new user with 500 coins
    And the agent engine has an API key that may bill every user
    When the agent engine consumes 2000 tokens of "agent-chat"
    Then 4 coins are charged
    And the balance is 496 coins

  Scenario: The agent engine is billed by the same pricing as the user
    Given a new user with 500 coins
    And the agent engine has an API key that may bill every user
    When the agent engine consumes 150 seconds of "expert-consult"
    Then 30 coins are charged

  @auth
  Scenario: A key limited to some users may not bill another user
    Given a new user with 500 coins
    And another new user with 500 coins
    And the agent engine has an API key that may bill only the user
    And the agent engine bills the other user
    When the agent engine consumes a fixed charge of "report-export"
    Then the request fails with HTTP 403 and code 40300
    And the error message mentions "may not act for user"
    And the other user's balance is 500 coins

  @auth
  Scenario Outline: A key limited to some users is refused for another user on every route
    Given a new user with 500 coins
    And another new user with 500 coins
    And the agent engine has an API key that may bill only the user
    And the agent engine bills the other user
    When the agent engine <request>
    Then the request fails with HTTP 403 and code 40300
    And the other user's balance is 500 coins

    Examples:
      | request                                      |
      | asks for the balance                         |
      | pre-checks a fixed charge of "report-export" |
      | consumes 1000 tokens of "agent-chat"         |

  @auth
  Scenario: A key limited to some users bills those users
    Given a new user with 500 coins
    And the agent engine has an API key that may bill only the user
    When the agent engine consumes a fixed charge of "report-export"
    Then 50 coins are charged

  @auth
  Scenario: A revoked key bills nobody
    Given a new user with 500 coins
    And the agent engine has an API key that may bill only the user
    When the admin revokes the agent engine's API key
    And the agent engine consumes a fixed charge of "report-export"
    Then the request fails with HTTP 401 and code 40100
    And the balance is 500 coins

  @validation
  Scenario: Consuming on behalf of nobody is refused
    Given a signed-in user with at least 10 coins
    And the agent engine has an API key that may bill every user
    When the agent engine sends "POST /openapi/coin/consume" with body:
      """json
      {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED"}
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "userId"

  @validation
  Scenario: Reading a balance without naming the user is refused
    Given the agent engine has an API key that may bill every user
    When the agent engine sends "GET /openapi/coin/balance"
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "userId"

  @validation
  Scenario: Consuming on behalf of an unknown user is refused
    Given the agent engine has an API key that may bill every user
    When the agent engine sends "POST /openapi/coin/consume" with body:
      """json
      {"userId": "u_nobody_{{key}}", "idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED"}
      """
    Then the request fails with HTTP 404 and code 40400
    And the error message mentions "not found"
