@finance
Feature: Consuming coins
  POST /api/finance/consume deducts coins for a service. The charge depends on the consumption type and
  the service plan's rate:
    TOKEN     coins = ceil(tokens × rate / 1000), rate in coins per 1,000 tokens
    DURATION  coins = ceil(seconds / 60) × rate, rate in coins per started minute
    FIXED     the plan's fixed amount, or the request's amount where the plan allows it
  The answer tells the charge and the balance before and after it.

  These scenarios assume the reference backend's demo service plans (see "Service plans"):
  agent-chat 2 (basic, default) and 5 (pro) coins per 1,000 tokens, expert-consult 10 coins per minute,
  report-export 50 coins, task-view 20 coins or a custom amount.

  Rule: TOKEN consumption is billed per 1,000 tokens, rounded up

    Scenario Outline: Token usage is charged at the plan's rate, rounded up to a whole coin
      Given a signed-in user with at least 100 coins
      When the user consumes <tokens> tokens of "agent-chat"
      Then <coins> coins are charged
      And the balance has gone down by <coins> coins

      Examples:
        | tokens | coins |
        | 1000   | 2     |
        | 1501   | 4     |
        | 1      | 1     |
        | 20000  | 40    |

    Scenario: A consumption on a named plan is billed at that plan's rate
      Given a signed-in user with at least 100 coins
      When the user consumes 1000 tokens of "agent-chat" on plan "agent-chat-pro"
      Then 5 coins are charged
      And the response data has:
        | planId | agent-chat-pro |

  Rule: DURATION consumption is billed per started minute

    Scenario Outline: Time is charged per started minute at the plan's rate
      Given a signed-in user with at least 100 coins
      When the user consumes <seconds> seconds of "expert-consult"
      Then <coins> coins are charged

      Examples:
        | seconds | coins |
        | 60      | 10    |
        | 61      | 20    |
        | 1       | 10    |
        | 300     | 50    |

  Rule: FIXED consumption charges a fixed amount

    Scenario: A one-time operation is charged the plan's fixed amount
      Given a signed-in user with at least 100 coins
      When the user consumes a fixed charge of "report-export"
      Then 50 coins are charged

    Scenario: A plan that allows a custom amount charges the amount requested
      Given a signed-in user with at least 100 coins
      When the user consumes a charge of 35 coins on "task-view"
      Then 35 coins are charged

    @validation
    Scenario: A plan with a fixed price refuses a custom amount
      Given a signed-in user with at least 100 coins
      When the user consumes a charge of 10 coins on "report-export"
      Then the request fails with HTTP 400 and code 40000
      And the error message mentions "amount"
      And the balance is unchanged

  Rule: The answer describes the charge

    Scenario: A consumption answers with the charge and the balance before and after it
      Given a new user with 1000 coins
      When the user consumes 1501 tokens of "agent-chat" with key "answer-1"
      Then the request succeeds
      And the response data has:
        | consumeType   | TOKEN      |
        | serviceCode   | agent-chat |
        | coins         | 4          |
        | balanceBefore | 1000       |
        | balanceAfter  | 996        |
        | replayed      | false      |
      And the answer has a record id and a creation time in UTC
      And the balance is 996 coins
