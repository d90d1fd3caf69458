-- Argo CD health check for octopusha.io/OctopusCluster.
-- Degraded=True wins (bad spec, missing Secret, node limit). Then a status older than the spec and Progressing=True
-- (retire, rollout, start) mean Progressing. Ready=True is Healthy; Ready=False is Degraded when the nodes run but
-- none answers (NodeApiUnavailable), Suspended when scaled to zero (NoNodes), and Progressing otherwise (starting).
local hs = {}

local function condition(obj, type)
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == type then
        return c
      end
    end
  end
  return nil
end

local function describe(c, fallback)
  if c.message ~= nil and c.message ~= "" then
    return (c.reason or fallback) .. ": " .. c.message
  end
  return c.reason or fallback
end

if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

local degraded = condition(obj, "Degraded")
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(degraded, "Degraded")
  return hs
end

if obj.metadata.generation ~= nil and obj.status.observedGeneration ~= nil
    and obj.status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end

local progressing = condition(obj, "Progressing")
if progressing ~= nil and progressing.status == "True" then
  hs.status = "Progressing"
  hs.message = describe(progressing, "Progressing")
  return hs
end

local ready = condition(obj, "Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  return hs
end
if ready ~= nil then
  if ready.reason == "NodeApiUnavailable" then
    hs.status = "Degraded"
  elseif ready.reason == "NoNodes" then
    hs.status = "Suspended"
  else
    hs.status = "Progressing"
  end
  hs.message = describe(ready, "Not ready")
  return hs
end

hs.status = "Progressing"
hs.message = "Waiting for the Ready condition"
return hs
