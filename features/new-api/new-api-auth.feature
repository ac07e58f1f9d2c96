@new-api @auth
Feature: New-API authentication and the New-Api-User rule
  Upstream's auth middleware (new-api.md §2), in its order: the session cookie, else the access token in
  Authorization (with or without "Bearer "); then New-Api-User, which must be an integer naming the same user; then
  the user's status and role. Missing credentials and New-Api-User problems are HTTP 401; an unknown token, a banned
  user and a role too low are HTTP 200 with success false. The messages are upstream's, in Chinese. Every scenario
  makes its own users through the admin's user routes (POST /api/user/, GET /api/user/search, POST /api/user/manage).

  Scenario Outline: <route> checks credentials in upstream's order
    Given a new New-API user
    And a banned New-API user
    Then "<route>" refuses each credential problem:
      | credentials                             | status | message                                          |
      | nothing                                 | 401    | 无权进行此操作，未登录且未提供 access token       |
      | New-Api-User only                       | 401    | 无权进行此操作，未登录且未提供 access token       |
      | an unknown token                        | 200    | 无权进行此操作，access token 无效                 |
      | an unknown token without New-Api-User   | 200    | 无权进行此操作，access token 无效                 |
      | the user's token without New-Api-User   | 401    | 无权进行此操作，未提供 New-Api-User               |
      | the user's token with New-Api-User abc  | 401    | 无权进行此操作，New-Api-User 格式错误             |
      | the user's token with New-Api-User 1.5  | 401    | 无权进行此操作，New-Api-User 格式错误             |
      | the user's token with the admin's id    | 401    | 无权进行此操作，New-Api-User 与登录用户不匹配     |
      | the banned user's token                 | 200    | 用户已被封禁                                     |
    And for a common user "<route>" is <common user>

    Examples: user routes
      | route                         | common user               |
      | GET /api/user/self            | admitted                  |
      | POST /api/user/topup          | admitted                  |
      | GET /api/user/token           | admitted                  |
      | GET /api/user/topup/info      | admitted                  |
      | GET /api/user/topup/self      | admitted                  |
      | POST /api/user/amount         | admitted                  |
      | POST /api/user/pay            | admitted                  |
      | POST /api/user/stripe/amount  | admitted                  |
      | POST /api/user/stripe/pay     | admitted                  |
      | POST /api/user/creem/pay      | admitted                  |
      | GET /api/subscription/plans   | admitted                  |
      | GET /api/subscription/self    | admitted                  |
      | PUT /api/subscription/self/preference | admitted          |
      | POST /api/subscription/epay/pay | admitted                |
      | POST /api/subscription/stripe/pay | admitted              |
      | POST /api/subscription/creem/pay | admitted               |

    Examples: admin routes
      | route                               | common user               |
      | GET /api/redemption/                | refused for lack of rights |
      | GET /api/redemption/search?keyword=a | refused for lack of rights |
      | GET /api/redemption/1               | refused for lack of rights |
      | POST /api/redemption/               | refused for lack of rights |
      | PUT /api/redemption/                | refused for lack of rights |
      | DELETE /api/redemption/invalid      | refused for lack of rights |
      | DELETE /api/redemption/1            | refused for lack of rights |
      | POST /api/user/                     | refused for lack of rights |
      | GET /api/user/search?keyword=a      | refused for lack of rights |
      | POST /api/user/manage               | refused for lack of rights |
      | GET /api/user/topup                 | refused for lack of rights |
      | POST /api/user/topup/complete       | refused for lack of rights |
      | GET /api/subscription/admin/plans   | refused for lack of rights |
      | POST /api/subscription/admin/plans  | refused for lack of rights |
      | PUT /api/subscription/admin/plans/1 | refused for lack of rights |
      | PATCH /api/subscription/admin/plans/1 | refused for lack of rights |
      | POST /api/subscription/admin/bind   | refused for lack of rights |
      | GET /api/subscription/admin/users/1/subscriptions | refused for lack of rights |
      | POST /api/subscription/admin/users/1/subscriptions | refused for lack of rights |
      | POST /api/subscription/admin/user_subscriptions/1/invalidate | refused for lack of rights |
      | DELETE /api/subscription/admin/user_subscriptions/1 | refused for lack of rights |

  Scenario: The access token works with or without "Bearer "
    Given a new New-API user
    When the user calls "GET /api/user/self"
    Then the New-API data has:
      | id       | {{userId}}   |
      | username | {{username}} |
      | role     | 1            |
      | status   | 1            |
    When the user, without Bearer, calls "GET /api/user/self"
    Then the New-API data has:
      | id | {{userId}} |

  Scenario: Signing in sets a session cookie that works with New-Api-User, and signing out ends it
    Given a new New-API user
    When the user signs in with its password
    Then the New-API data has:
      | id       | {{userId}}   |
      | username | {{username}} |
      | role     | 1            |
    And the answer sets an HttpOnly session cookie
    When the signed-in browser calls "GET /api/user/self"
    Then the New-API data has:
      | id | {{userId}} |
    When the signed-in browser without New-Api-User calls "GET /api/user/self"
    Then the New-API call is refused with HTTP 401 and "无权进行此操作，未提供 New-Api-User"
    When the signed-in browser signs out
    And the signed-in browser calls "GET /api/user/self"
    Then the New-API call is refused with HTTP 401 and "无权进行此操作，未登录且未提供 access token"

  Scenario: A wrong password and a banned user are refused alike at sign-in
    Given a new New-API user
    And a banned New-API user
    When the user signs in with a wrong password
    Then the New-API call fails with "用户名或密码错误，或用户已被封禁"
    And the answer sets no session cookie
    When the banned user signs in with its password
    Then the New-API call fails with "用户名或密码错误，或用户已被封禁"
    And the answer sets no session cookie

  Scenario: A new access token works and the old one stops working
    Given a new New-API user
    When the user takes a new access token
    And the user calls "GET /api/user/self"
    Then the New-API data has:
      | id | {{userId}} |
    When the user's previous token calls "GET /api/user/self"
    Then the New-API call fails with "无权进行此操作，access token 无效"

  Scenario: A common user cannot make users or ban them
    Given a new New-API user
    And another new New-API user
    When the user calls "POST /api/user/manage" with body:
      """
      {"id": {{otherUserId}}, "action": "disable"}
      """
    Then the New-API call fails with "无权进行此操作，权限不足"
    When the other user calls "GET /api/user/self"
    Then the New-API data has:
      | status | 1 |
