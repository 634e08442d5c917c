"""Resolution of what resource-based permissions reach: CodeCommit repositories,
CodeBuild projects, pipelines and Session Manager resource groups.

    codecommit: paco.ref resource.codecommit.acme.webapp
      -> Resource("repository", account="tools", region="us-west-2", name="acme-webapp",
                  arn="arn:aws:codecommit:us-west-2:555555555555:acme-webapp")

A `paco.ref netenv.…` is looked up in iamc.yaml's external_resources (iamc
does not read Paco's network environments); an ARN may stand in its place.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import vocabulary
from .diagnostics import Label
from .ir import CodeBuild, CodeCommit, DeploymentPipelines, ExternalResource, Target
from .schema import did_you_mean
from .tree import Loc


@dataclass(frozen=True)
class Resource:
    """What a CodeCommit, CodeBuild, pipeline or Session Manager grant reaches, in one account."""

    kind: str  # "repository", "codebuild", "pipeline", "resource_group"
    account: str
    region: str | None
    name: str  # repository name, project name, pipeline name, resource group name
    arn: str | None
    stages: tuple[str, ...] = ()
    approval_actions: tuple[str, ...] = ()
    grant: object = None  # the RepositoryGrant / CodeBuildGrant / PipelineGrant, or the Target
    loc: Loc | None = None


RESOURCE_WORDS = {
    "repository": "repository",
    "codebuild": "CodeBuild project",
    "pipeline": "pipeline",
    "resource_group": "resource group",
}


def _found(resource: Resource | None) -> list[Resource]:
    return [resource] if resource is not None else []


class TargetResolution:
    """Part of the resolver: needs its `p`, `diags`, `accounts`, `used_externals`, and `account_ref`."""

    def resources_of(self, perm, repositories, externals, listed):
        """Each entry of a resource-based permission: where it is written, and the resources it reaches."""
        if isinstance(perm, CodeCommit):
            for rg in perm.repositories:
                yield rg.codecommit.loc, _found(self.repository(rg, repositories))
        elif isinstance(perm, CodeBuild):
            for g in perm.resources:
                yield g.codebuild.loc, _found(self.arn_target(g.codebuild, "codebuild", externals, g))
        elif isinstance(perm, DeploymentPipelines):
            for g in perm.resources:
                yield g.pipeline.loc, _found(self.arn_target(g.pipeline, "codepipeline", externals, g))
        else:
            for t in perm.resources:
                yield t.loc, self.resource_group(t, externals, listed)

    def repository(self, rg, repositories) -> Resource | None:
        ref = rg.codecommit
        if ref.root != "resource" or len(ref.parts) < 2 or ref.parts[1] != "codecommit" or len(ref.parts) != 4:
            self.diags.add(
                "E303",
                f"expected `paco.ref resource.codecommit.<group>.<repository>`, found `{ref.text}`",
                ref.loc,
                label="not a CodeCommit repository",
            )
            return None
        if not repositories and not self.p.repositories:
            self.diags.add(
                "E304",
                "the project has no resource/codecommit.yaml to resolve this reference in",
                ref.loc,
                help="describe the repository in resource/codecommit.yaml, as Paco does",
            )
            return None
        key = (ref.parts[2], ref.parts[3])
        if key not in repositories:
            groups = {g for g, _ in repositories}
            if key[0] not in groups:
                self.diags.add(
                    "E304",
                    f"resource/codecommit.yaml has no repository group `{key[0]}`",
                    ref.part_loc(2),
                    help=did_you_mean(key[0], groups),
                )
            else:
                self.diags.add(
                    "E304",
                    f"repository group `{key[0]}` has no repository `{key[1]}`",
                    ref.part_loc(3),
                    help=did_you_mean(key[1], [n for g, n in repositories if g == key[0]]),
                )
            return None
        repo, account = repositories[key]
        if account is None:
            return None
        region = repo.region or self.accounts[account].region
        arn = f"arn:aws:codecommit:{region}:{self.accounts[account].account_id}:{repo.repository_name}"
        return Resource("repository", account, region, repo.repository_name, arn, grant=rg, loc=ref.loc)

    def external(self, target: Target, externals) -> ExternalResource | None:
        ref = target.ref
        if ref.root != "netenv":
            self.diags.add("E303", f"expected a `paco.ref netenv.…` or an ARN, found `{ref.text}`", ref.loc)
            return None
        ext = externals.get(ref.text.strip()) or externals.get(ref.dotted)
        if ext is None:
            self.diags.add(
                "E305",
                f"`{ref.dotted}` points into a Paco network environment, which iamc does not read",
                ref.loc,
                label="unresolved",
                help=[
                    "add it to iamc.yaml under `external_resources:` with the facts iamc needs, "
                    "or write the resource's ARN here in place of the reference"
                ],
            )
            return None
        self.used_externals.add(ext.ref.strip())
        return ext

    def arn_target(self, target: Target, service: str, externals, grant) -> Resource | None:
        stages: tuple[str, ...] = ()
        actions: tuple[str, ...] = ()
        loc = target.loc
        if target.ref is not None:
            ext = self.external(target, externals)
            if ext is None:
                return None
            if ext.arn is None:
                self.diags.add(
                    "E204",
                    f"external resource `{ext.ref}` has no `arn`",
                    ext.loc.as_key(),
                    related=[Label(target.loc, "needed here")],
                    help=f"add the {'pipeline' if service == 'codepipeline' else 'project'}'s ARN",
                )
                return None
            arn, loc, stages, actions = ext.arn, ext.loc.child("arn"), ext.stages, ext.approval_actions
        else:
            arn = target.text
        m = vocabulary.ARN.fullmatch(arn)
        expected = (
            "arn:aws:codebuild:<region>:<account id>:project/<name>"
            if service == "codebuild"
            else "arn:aws:codepipeline:<region>:<account id>:<pipeline name>"
        )
        if (
            m is None
            or m.group(2) != service
            or not m.group(4)
            or (service == "codebuild" and not m.group(5).startswith("project/"))
        ):
            self.diags.add(
                "E203",
                f"`{arn}` is not a {'CodeBuild project' if service == 'codebuild' else 'pipeline'} ARN",
                loc,
                help=f"write `{expected}`, or a `paco.ref netenv.…` listed in external_resources",
            )
            return None
        account_id, region, resource = m.group(4), m.group(3), m.group(5)
        account = next((a.name for a in self.p.accounts if a.account_id == account_id), None)
        if account is None:
            self.diags.add(
                "E301",
                f"no account in accounts/ has the id {account_id}",
                loc,
                help="the resource must live in one of the project's accounts",
            )
            return None
        name = resource.split("/", 1)[1] if service == "codebuild" else resource
        kind = "codebuild" if service == "codebuild" else "pipeline"
        return Resource(kind, account, region, name, arn, stages, actions, grant, target.loc)

    def resource_group(self, target: Target, externals, listed: tuple[str, ...] | None) -> list[Resource]:
        if target.ref is not None:
            ext = self.external(target, externals)
            if ext is None:
                return []
            account = self.account_ref(ext.account) if ext.account else None
            if ext.resource_group is None or ext.account is None:
                missing = [
                    f for f, v in (("resource_group", ext.resource_group), ("account", ext.account)) if v is None
                ]
                self.diags.add(
                    "E204",
                    f"external resource `{ext.ref}` has no {' or '.join(f'`{m}`' for m in missing)}",
                    ext.loc.as_key(),
                    related=[Label(target.loc, "needed here")],
                    help="a Session Manager grant needs the resource group's name and its account",
                )
                return []
            if account is None:
                return []
            return [
                Resource("resource_group", account, ext.region, ext.resource_group, None, grant=target, loc=target.loc)
            ]
        if not listed:
            self.diags.add(
                "E204",
                f"resource group `{target.text}` needs the permission's `accounts` to say where it is",
                target.loc,
                help="add `accounts:` to the permission, or use a `paco.ref netenv.…` "
                "listed in iamc.yaml's external_resources",
            )
            return []
        return [Resource("resource_group", a, None, target.text, None, grant=target, loc=target.loc) for a in listed]
