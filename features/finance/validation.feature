@finance @validation
Feature: Validation of consumption requests
  Bad input gets HTTP 400 with code 40000 and a message naming the field; an unknown service or plan is
  HTTP 404 with code 40400; a body that is not JSON is refused. Nothing is charged.

  Scenario Outline: An invalid consumption is refused with a message naming the field
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume" with body:
      """json
      <body>
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "<field>"
    And the balance is unchanged

    Examples:
      | case                          | field           | body                                                                                                     |
      | no idempotency key            | idempotencyKey  | {"serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": 1000}                                     |
      | key with a space              | idempotencyKey  | {"idempotencyKey": "a b", "serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": 1000}            |
      | no service                    | serviceCode     | {"idempotencyKey": "{{key}}", "consumeType": "TOKEN", "tokens": 1000}                                     |
      | unknown consumption type      | consumeType     | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "PER_CALL", "tokens": 1000}     |
      | no token count                | tokens          | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "TOKEN"}                        |
      | zero tokens                   | tokens          | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": 0}           |
      | negative duration             | durationSeconds | {"idempotencyKey": "{{key}}", "serviceCode": "expert-consult", "consumeType": "DURATION", "durationSeconds": -60} |
      | tokens on a DURATION charge   | tokens          | {"idempotencyKey": "{{key}}", "serviceCode": "expert-consult", "consumeType": "DURATION", "durationSeconds": 60, "tokens": 5} |
      | plan of another service       | serviceCode     | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": 10, "planId": "report-export"} |

  Scenario: A 129-character idempotency key is refused
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", "serviceCode": "report-export", "consumeType": "FIXED"}
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "idempotencyKey"

  Scenario: A number sent as a string is refused
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": "1000"}
      """
    Then the request fails with HTTP 400 and code 40000
    And the balance is unchanged

  Scenario: A body that is not JSON is refused
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume" with body:
      """
      {"idempotencyKey": "{{key}}", "serviceCode":
      """
    Then the request fails with HTTP 400 and code 40000
    And the balance is unchanged

  Scenario: A body that is not declared as JSON is refused
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume" as "text/plain" with body:
      """
      {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED"}
      """
    Then the request fails with HTTP 415 and code 41500
    And the balance is unchanged

  Scenario: A consumption without a body is refused
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume"
    Then the request fails with HTTP 400 and code 40000
    And the balance is unchanged

  Scenario: A route called with the wrong method answers in the envelope
    Given a signed-in user
    When the user sends "GET /api/finance/consume"
    Then the request fails with HTTP 405 and code 40500

  Scenario: An unknown Finance route answers in the envelope
    Given a signed-in user
    When the user sends "GET /api/finance/no-such-route"
    Then the request fails with HTTP 404 and code 40400

  Scenario: An unknown service is not found
    Given a signed-in user with at least 100 coins
    When the user consumes 1000 tokens of "no-such-service"
    Then the request fails with HTTP 404 and code 40400
    And the balance is unchanged

  Scenario: An unknown plan is not found
    Given a signed-in user with at least 100 coins
    When the user consumes 1000 tokens of "agent-chat" on plan "no-such-plan"
    Then the request fails with HTTP 404 and code 40400
    And the balance is unchanged

  Scenario Outline: Invalid record filters are refused
    Given a signed-in user
    When the user sends "POST /api/finance/records" with body:
      """json
      <body>
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "<field>"

    Examples:
      | field       | body                                                                        |
      | page        | {"page": 0}                                                                 |
      | pageSize    | {"pageSize": 101}                                                           |
      | consumeType | {"consumeType": "HOURLY"}                                                   |
      | startTime   | {"startTime": "2026-11-23T10:00:00Z", "endTime": "2026-11-23T09:00:00Z"}    |
      | startTime   | {"startTime": "yesterday"}                                                  |
