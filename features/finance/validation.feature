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
      | plan of another type          | bills TOKEN     | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "FIXED", "planId": "agent-chat-pro"} |
      | no consumption type           | consumeType     | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "tokens": 1000}                                |
      | too many tokens               | tokens          | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": 1000000000001} |
      | over ten years                | durationSeconds | {"idempotencyKey": "{{key}}", "serviceCode": "expert-consult", "consumeType": "DURATION", "durationSeconds": 315360001} |
      | duration on a TOKEN charge    | durationSeconds | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": 10, "durationSeconds": 60} |
      | tokens on a FIXED charge      | tokens          | {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED", "tokens": 10}        |
      | duration on a FIXED charge    | durationSeconds | {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED", "durationSeconds": 60} |
      | zero amount                   | amount          | {"idempotencyKey": "{{key}}", "serviceCode": "task-view", "consumeType": "FIXED", "amount": 0}            |
      | amount above the maximum      | amount          | {"idempotencyKey": "{{key}}", "serviceCode": "task-view", "consumeType": "FIXED", "amount": 1000000000001} |
      | plan id with a space          | planId          | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": 10, "planId": "agent chat"} |
      | service code of 65 characters | serviceCode     | {"idempotencyKey": "{{key}}", "serviceCode": "{{65 x s}}", "consumeType": "FIXED"}                        |
      | bizId of 129 characters       | bizId           | {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED", "bizId": "{{129 x b}}"} |
      | description of 501 characters | description     | {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED", "description": "{{501 x d}}"} |
      | 21 metadata entries           | metadata        | {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED", "metadata": {"a1": "v", "a2": "v", "a3": "v", "a4": "v", "a5": "v", "a6": "v", "a7": "v", "a8": "v", "a9": "v", "a10": "v", "a11": "v", "a12": "v", "a13": "v", "a14": "v", "a15": "v", "a16": "v", "a17": "v", "a18": "v", "a19": "v", "a20": "v", "a21": "v"}} |
      | metadata key of 65 characters | metadata        | {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED", "metadata": {"{{65 x m}}": "v"}} |
      | metadata key with a dot       | metadata        | {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED", "metadata": {"a.b": "v"}} |
      | empty metadata key            | metadata        | {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED", "metadata": {"": "v"}} |
      | metadata value of 513 chars   | metadata        | {"idempotencyKey": "{{key}}", "serviceCode": "report-export", "consumeType": "FIXED", "metadata": {"note": "{{513 x v}}"}} |
      | key with a control character  | idempotencyKey  | {"idempotencyKey": "a\u0001b", "serviceCode": "report-export", "consumeType": "FIXED"}                    |
      | key with a non-ASCII letter   | idempotencyKey  | {"idempotencyKey": "caf\u00e9", "serviceCode": "report-export", "consumeType": "FIXED"}                   |

  Scenario: A consumption at every length limit is accepted
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "{{key@128}}", "serviceCode": "report-export", "consumeType": "FIXED", "bizId": "{{128 x b}}", "description": "{{500 x d}}", "metadata": {"{{64 x m}}": "{{512 x v}}", "a-2": "!", "a_3": "~", "a4": "v", "a5": "v", "a6": "v", "a7": "v", "a8": "v", "a9": "v", "a10": "v", "a11": "v", "a12": "v", "a13": "v", "a14": "v", "a15": "v", "a16": "v", "a17": "v", "a18": "v", "a19": "v", "a20": "v"}}
      """
    Then the request succeeds
    And the balance has gone down by 50 coins

  Scenario: A key of the visible ASCII characters at both ends of the range is accepted
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "{{key}}!~", "serviceCode": "report-export", "consumeType": "FIXED"}
      """
    Then the request succeeds
    And the balance has gone down by 50 coins

  Scenario Outline: The largest quantities allowed are priced, not refused as invalid
    The charge is far above the user's balance, so it is refused for that, and nothing is charged.
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume" with body:
      """json
      <body>
      """
    Then the request fails with HTTP 402 and code 40200
    And the balance is unchanged

    Examples:
      | quantity  | body                                                                                                    |
      | tokens    | {"idempotencyKey": "{{key}}", "serviceCode": "agent-chat", "consumeType": "TOKEN", "tokens": 1000000000000} |
      | duration  | {"idempotencyKey": "{{key}}", "serviceCode": "expert-consult", "consumeType": "DURATION", "durationSeconds": 315360000} |
      | amount    | {"idempotencyKey": "{{key}}", "serviceCode": "task-view", "consumeType": "FIXED", "amount": 1000000000000} |

  Scenario: A 64-character service code is looked up, not refused as invalid
    Given a signed-in user with at least 100 coins
    When the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "{{key}}", "serviceCode": "{{64 x s}}", "consumeType": "FIXED"}
      """
    Then the request fails with HTTP 404 and code 40400
    And the error message mentions "no enabled service plan"

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
    And the error message mentions "no enabled service plan for serviceCode 'no-such-service'"
    And the balance is unchanged

  Scenario: An unknown plan is not found
    Given a signed-in user with at least 100 coins
    When the user consumes 1000 tokens of "agent-chat" on plan "no-such-plan"
    Then the request fails with HTTP 404 and code 40400
    And the error message mentions "service plan 'no-such-plan' not found"
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
