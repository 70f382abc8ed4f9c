-- wrk script for scripts/bench-token: POST client_credentials token requests, rotating
-- through pre-created clients. args[1]: a file with one "Basic <base64(id:secret)>" per line;
-- args[2]: the path to post to; args[3]: the form body. Each wrk thread starts at its own offset.
local creds = {}
local path = "/auth/oauth2/token"
local body = "grant_type=client_credentials&scope=all"
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    creds[#creds + 1] = line
  end
  path = args[2] or path
  body = args[3] or body
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
  i = math.random(#creds)
end

function request()
  i = i % #creds + 1
  return wrk.format("POST", path, {
    ["Authorization"] = creds[i],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, body)
end
