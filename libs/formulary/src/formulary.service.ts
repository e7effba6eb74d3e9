import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FormularyDrugEntity } from './formulary-drug.entity';
import { FormularyDrugModel } from './models/formulary-drug.model';

@Injectable()
export class FormularyService {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest version of every drug, by name. */
  async currentFormulary(): Promise<FormularyDrugModel[]> {
    const rows = await this.dataSource
      .getRepository(FormularyDrugEntity)
      .createQueryBuilder('f')
      .distinctOn(['f.drug'])
      .orderBy('f.drug', 'ASC')
      .addOrderBy('f.version', 'DESC')
      .getMany();
    return rows.map(toModel);
  }
}

function toModel(row: FormularyDrugEntity): FormularyDrugModel {
  return {
    drug: row.drug,
    drugClass: row.drugClass,
    stepsMg: row.stepsMg.map(Number),
    maxDailyMg: Number(row.maxDailyMg),
    note: row.note,
    source: row.source,
    version: row.version,
  };
}
