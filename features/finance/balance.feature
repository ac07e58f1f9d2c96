@finance
Feature: Coin balance
  Coins are the universal unit of value on the platform. A user reads the current coin balance with
  GET /api/finance/balance (JWT); the agent engine reads any user's balance it may bill with
  GET /openapi/coin/balance?userId= (API key).

  Scenario: A user reads their coin balance
    Given a new user with 1200 coins
    When the user asks for the balance
    Then the request succeeds
    And the response data has:
      | userId  | {{userId}} |
      | balance | 1200       |

  Scenario: A new user starts with no coins
    Given a new user without coins
    When the user asks for the balance
    Then the request succeeds
    And the response data has:
      | balance | 0 |

  Scenario: Every consumption lowers the balance by exactly its charge
    Given a signed-in user with at least 200 coins
    When the user consumes 1500 tokens of "agent-chat"
    And the user consumes a fixed charge of "report-export"
    Then the balance has gone down by 53 coins

  Scenario: The agent engine reads the balance of a user with its API key
    Given a new user with 700 coins
    And the agent engine has an API key that may bill every user
    When the agent engine asks for the balance
    Then the request succeeds
    And the response data has:
      | userId  | {{userId}} |
      | balance | 700        |
