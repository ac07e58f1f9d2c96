@new-api @redemption
Feature: New-API redemption codes: the admin's routes
  The admin creates codes in batches (name 1–20 characters, 1–100 codes, an expiry not in the past), lists them
  newest first in pages, searches them by name prefix or id, reads, updates (all fields but the status, or only the
  status) and deletes them (new-api.md §4). Validation messages are English by default and Chinese for
  Accept-Language zh-CN. Every scenario names its codes with a prefix of its own.

  Scenario Outline: An invalid batch is refused in English by default and in Chinese for zh-CN: <case>
    When the admin calls "POST /api/redemption/" with body:
      """
      {"name": "<name>", "quota": 100, "count": <count>, "expired_time": <expiry>}
      """
    Then the New-API call fails with "<english>"
    When that call is sent again with Accept-Language "zh-CN"
    Then the New-API call fails with "<chinese>"
    And no code named "{{name}}" exists

    Examples:
      | case                     | name                 | count | expiry | english                                                | chinese                          |
      | no name                  |                      | 1     | 0      | Redemption code name length must be between 1-20       | 兑换码名称长度必须在1-20之间       |
      | a name of 21 characters  | {{name}}{{11 x 码}}  | 1     | 0      | Redemption code name length must be between 1-20       | 兑换码名称长度必须在1-20之间       |
      | no codes                 | {{name}}             | 0     | 0      | Redemption code count must be greater than 0           | 兑换码个数必须大于0               |
      | 101 codes                | {{name}}             | 101   | 0      | Maximum 100 redemption codes can be generated at once  | 一次兑换码批量生成的个数不能大于 100 |
      | an expiry in the past    | {{name}}             | 1     | 1      | Expiration time cannot be earlier than current time    | 过期时间不能早于当前时间           |

  Scenario: A batch answers its keys, each 32 lowercase hex characters
    When the admin calls "POST /api/redemption/" with body:
      """
      {"name": "{{name}}", "quota": 500, "count": 3, "expired_time": 0}
      """
    Then the New-API data is 3 keys of 32 lowercase hex characters
    And a search for "{{name}}" finds 3 codes of 500 quota, each enabled

  Scenario: A name of 20 characters counts characters, not bytes, and a batch may hold 100 codes
    When the admin calls "POST /api/redemption/" with body:
      """
      {"name": "{{name}}{{10 x 码}}", "quota": 100, "count": 100, "expired_time": 0}
      """
    Then the New-API data is 100 keys of 32 lowercase hex characters

  Scenario: A code created with quota 0 holds 100
    Given a code "zero" of 0 quota
    When the admin calls "GET /api/redemption/{{id:zero}}"
    Then the New-API data has:
      | quota | 100 |

  Scenario: The list is newest first in pages, page 0 is page 1, and a page holds at most 100
    Given codes "a, b, c" of 100 quota each
    When the admin calls "GET /api/redemption/?p=1&page_size=2"
    Then the New-API data has:
      | page      | 1 |
      | page_size | 2 |
    And the page has 2 items
    And the page begins with the codes "c, b"
    And the page's total is at least 3
    When the admin calls "GET /api/redemption/?p=2&page_size=2"
    Then the page begins with the codes "a"
    When the admin calls "GET /api/redemption/?p=0&page_size=2"
    Then the New-API data has:
      | page | 1 |
    And the page begins with the codes "c, b"
    When the admin calls "GET /api/redemption/?p=1&page_size=500"
    Then the New-API data has:
      | page_size | 100 |

  Scenario: Codes are found by name prefix and by id
    Given codes "alpha1, alpha2, beta" of 100 quota each
    When the admin calls "GET /api/redemption/search?keyword={{name}}-alpha"
    Then the page lists exactly the codes "alpha2, alpha1"
    When the admin calls "GET /api/redemption/search?keyword={{name}}"
    Then the page lists exactly the codes "beta, alpha2, alpha1"
    When the admin calls "GET /api/redemption/search?keyword={{id:alpha1}}"
    Then the page includes the code "alpha1"

  Scenario: Reading one code: by id, a non-numeric id, id 0, and a deleted code
    Given codes "a, gone" of 300 quota each
    When the admin calls "DELETE /api/redemption/{{id:gone}}"
    And the admin calls "GET /api/redemption/{{id:a}}"
    Then the New-API data has:
      | id            | {{id:a}}    |
      | key           | {{key:a}}   |
      | name          | {{name}}-a  |
      | quota         | 300         |
      | status        | 1           |
      | used_user_id  | 0           |
      | redeemed_time | 0           |
      | expired_time  | 0           |
    When the admin calls "GET /api/redemption/abc"
    Then the New-API call fails with 'strconv.Atoi: parsing "abc": invalid syntax'
    When the admin calls "GET /api/redemption/0"
    Then the New-API call fails with "id 为空！"
    When the admin calls "GET /api/redemption/{{id:gone}}"
    Then the New-API call fails with "record not found"

  Scenario: An update sets name, quota and expiry but keeps the status, and status_only sets any status and nothing else
    Given a code "a" of 100 quota
    When the admin calls "PUT /api/redemption/?status_only=true" with body:
      """
      {"id": {{id:a}}, "status": 7, "name": "{{name}}-x", "quota": 999}
      """
    Then the New-API data has:
      | status | 7          |
      | name   | {{name}}-a |
      | quota  | 100        |
    When the admin calls "PUT /api/redemption/" with body:
      """
      {"id": {{id:a}}, "status": 2, "name": "{{name}}-b", "quota": 555, "expired_time": 0}
      """
    Then the New-API data has:
      | status | 7          |
      | name   | {{name}}-b |
      | quota  | 555        |
    When the admin calls "GET /api/redemption/{{id:a}}"
    Then the New-API data has:
      | status | 7          |
      | name   | {{name}}-b |
      | quota  | 555        |
    When the admin calls "PUT /api/redemption/" with body:
      """
      {"id": {{id:a}}, "name": "{{name}}-c", "quota": 1, "expired_time": 1}
      """
    Then the New-API call fails with "Expiration time cannot be earlier than current time"

  Scenario: Deleting one code
    Given codes "a, b" of 100 quota each
    When the admin calls "DELETE /api/redemption/{{id:a}}"
    Then the New-API call succeeds
    And the code "a" is gone
    And the code "b" is still there
    When the admin calls "DELETE /api/redemption/{{id:a}}"
    Then the New-API call fails with "record not found"
    When the admin calls "DELETE /api/redemption/abc"
    Then the New-API call fails with "id 为空！"

  Scenario: Deleting the invalid codes removes the disabled, used and expired ones and answers how many
    Given no invalid codes are left
    And a new New-API user
    And a code "valid" of 100 quota
    And a disabled code "disabled" of 100 quota
    And a code "used" of 100 quota that the user has redeemed
    And an expired code "expired" of 100 quota
    When the admin calls "DELETE /api/redemption/invalid"
    Then the New-API data is "3"
    And the code "disabled" is gone
    And the code "used" is gone
    And the code "expired" is gone
    And the code "valid" is still there
