@finance
Feature: Pre-checking a consumption
  POST /api/finance/preCheck validates the balance before consumption: it prices the same inputs as a
  consumption (without an idempotency key) and answers sufficient, requiredCoins, balance and shortfall.
  It changes nothing.

  Scenario: A pre-check finds the balance sufficient and tells the price
    Given a signed-in user with at least 100 coins
    When the user pre-checks 90 seconds of "expert-consult"
    Then the pre-check finds the balance sufficient for 20 coins

  Scenario: A pre-check reports the shortfall when the balance does not cover the price
    Given a new user with 30 coins
    When the user pre-checks a fixed charge of "report-export"
    Then the request succeeds
    And the response data has:
      | sufficient    | false |
      | requiredCoins | 50    |
      | balance       | 30    |
      | shortfall     | 20    |

  Scenario: A pre-check charges nothing and records nothing
    Given a new user with 100 coins
    When the user pre-checks 5000 tokens of "agent-chat"
    And the user lists the consumption records at "/api/finance/records"
    Then the records list holds 0 records of 0
    And the balance is 100 coins

  @validation
  Scenario: A pre-check of an invalid consumption is refused like the consumption itself
    Given a signed-in user with at least 10 coins
    When the user sends "POST /api/finance/preCheck" with body:
      """json
      {"serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": 0}
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "tokens"

  Scenario: The agent engine pre-checks a consumption for a user with its API key
    Given a new user with 40 coins
    And the agent engine has an API key that may bill every user
    When the agent engine pre-checks a fixed charge of "report-export"
    Then the request succeeds
    And the response data has:
      | sufficient | false |
      | shortfall  | 10    |

  Scenario: A pre-check of exactly the balance finds it sufficient
    Given a new user with 50 coins
    When the user pre-checks a fixed charge of "report-export"
    Then the request succeeds
    And the response data has:
      | sufficient    | true |
      | requiredCoins | 50   |
      | balance       | 50   |
      | shortfall     | 0    |
