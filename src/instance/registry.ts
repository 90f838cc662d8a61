/**
 * Which project serves which routes in the shared instance. Pure: the instance asks it
 * whether routes may join, and hands the assembled list to the proxy.
 * Across projects, as within one, a host + path is served by one route only; an exact host
 * beats a wildcard and the longest path wins (the route table decides that).
 */
import type { Route } from '../routes/route.js';
import { routeLabel } from '../routes/labels.js';
import type { ProjectInfo } from './protocol.js';

export class Registry {
  /** Keyed by connection; in order of registration. */
  private readonly projects = new Map<number, ProjectInfo>();

  get size(): number {
    return this.projects.size;
  }

  list(): ProjectInfo[] {
    return [...this.projects.values()];
  }

  get(id: number): ProjectInfo | undefined {
    return this.projects.get(id);
  }

  /** Every project's routes, as one list for the route table. */
  routes(): Route[] {
    return this.list().flatMap((project) => project.routes);
  }

  /** The routes if `project` replaced what connection `id` has, or the one-line reason it may not. */
  conflict(id: number, routes: readonly Route[]): string | undefined {
    const taken = new Map<string, ProjectInfo>();
    for (const [other, project] of this.projects) {
      if (other === id) continue;
      for (const route of project.routes) taken.set(`${route.host} ${route.path}`, project);
    }
    for (const route of routes) {
      const owner = taken.get(`${route.host} ${route.path}`);
      if (owner !== undefined) {
        const what = route.path === '/' ? `host ${route.host}` : `host ${route.host} with path ${route.path}`;
        return `${what} (${routeLabel(route)}) is already served by ${owner.source} (pid ${owner.pid})`;
      }
    }
    return undefined;
  }

  set(id: number, project: ProjectInfo): void {
    this.projects.set(id, project);
  }

  remove(id: number): ProjectInfo | undefined {
    const project = this.projects.get(id);
    this.projects.delete(id);
    return project;
  }

  /** The project a route belongs to (routes are the very objects a project registered). */
  ownerOf(route: Route): number | undefined {
    for (const [id, project] of this.projects) if (project.routes.includes(route)) return id;
    return undefined;
  }
}
